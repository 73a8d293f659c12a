// The multicast resolver's answers to the queries of its peers: whatever is asked within a
// short random spread is answered together, as one round of everything or as announcements
// of the topics asked for.
import { realTimers } from '@seamless/transport';
import type { LeaseRecord } from '../lease-book.js';
import type { QueryScope } from './datagram-codec.js';
import type { MulticastOutbox } from './multicast-outbox.js';

/** Answers to a query wait a random 0..this ms, so that many peers do not answer at once. */
const replySpreadMs = 20;

/** What {@link QueryReplies} answers with. */
export interface QueryRepliesSettings {
  /** The resolver's instance: a query naming it as the sender asks for everything. */
  readonly instance: string;
  /** Where the answers go. */
  readonly outbox: Pick<MulticastOutbox, 'announcedAny' | 'announce' | 'startRound'>;
  /** The resolver's leases, the advertisements to answer with. */
  readonly records: () => readonly LeaseRecord[];
}

/** Collects the queries heard and answers them, together, after a short random delay. */
export class QueryReplies {
  readonly #settings: QueryRepliesSettings;
  readonly #pendingTopics = new Set<string>();
  #roundWanted = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: QueryRepliesSettings) {
    this.#settings = settings;
  }

  /** A peer asked for `scope`; a query for another resolver's advertisements is ignored. */
  heard(scope: QueryScope): void {
    if ('topic' in scope) this.#pendingTopics.add(scope.topic);
    else if ('everything' in scope || scope.sender === this.#settings.instance) this.#roundWanted = true;
    else return;
    this.#schedule();
  }

  /** Cancels the answer not sent yet. */
  close(): void {
    realTimers.clearTimeout(this.#timer);
  }

  /** Answers the queries heard within a short random spread, together. */
  #schedule(): void {
    const { outbox, records } = this.#settings;
    // A resolver that never advertised has nothing to answer.
    if (!outbox.announcedAny) {
      this.#pendingTopics.clear();
      this.#roundWanted = false;
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = realTimers
      .setTimeout(
        () => {
          this.#timer = undefined;
          if (this.#roundWanted) {
            this.#roundWanted = false;
            this.#pendingTopics.clear();
            outbox.startRound();
            return;
          }
          const topics = new Set(this.#pendingTopics);
          this.#pendingTopics.clear();
          for (const record of records()) {
            if (topics.has(record.checked.advertisement.topic)) outbox.announce(record);
          }
        },
        Math.floor(Math.random() * replySpreadMs),
      )
      .unref();
  }
}
