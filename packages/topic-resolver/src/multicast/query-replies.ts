// The multicast resolver's answers to the queries of its peers: whatever is asked within a
// short random spread is answered together, as one round of everything or as announcements
// of the topics asked for and of those the patterns asked for match.
import { TopicPattern, realTimers } from '@seamless/transport';
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

/**
 * Collects the queries heard and answers them, together, after a short random delay. A query
 * of a topic or a pattern is answered with announcements of the matching advertisements only
 * (none at all when nothing matches), never with a round of everything.
 */
export class QueryReplies {
  readonly #settings: QueryRepliesSettings;
  readonly #pendingTopics = new Set<string>();
  /** Patterns asked for, by text. */
  readonly #pendingPatterns = new Map<string, TopicPattern>();
  #roundWanted = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: QueryRepliesSettings) {
    this.#settings = settings;
  }

  /** A peer asked for `scope`; a query for another resolver's advertisements is ignored. */
  heard(scope: QueryScope): void {
    if ('topic' in scope) this.#pending(scope.topic);
    else if ('everything' in scope || scope.sender === this.#settings.instance) this.#roundWanted = true;
    else return;
    this.#schedule();
  }

  /** Cancels the answer not sent yet. */
  close(): void {
    realTimers.clearTimeout(this.#timer);
  }

  #pending(topicOrPattern: string): void {
    // Checked by the codec: a valid topic or pattern.
    const pattern = TopicPattern.parse(topicOrPattern);
    if (pattern.isPattern) this.#pendingPatterns.set(pattern.text, pattern);
    else this.#pendingTopics.add(pattern.text);
  }

  #clear(): void {
    this.#pendingTopics.clear();
    this.#pendingPatterns.clear();
  }

  /** Answers the queries heard within a short random spread, together. */
  #schedule(): void {
    const { outbox, records } = this.#settings;
    // A resolver that never advertised has nothing to answer.
    if (!outbox.announcedAny) {
      this.#clear();
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
            this.#clear();
            outbox.startRound();
            return;
          }
          const topics = new Set(this.#pendingTopics);
          const patterns = [...this.#pendingPatterns.values()];
          this.#clear();
          for (const record of records()) {
            const { topic } = record.checked.advertisement;
            if (topics.has(topic) || patterns.some((pattern) => pattern.matches(topic))) outbox.announce(record);
          }
        },
        Math.floor(Math.random() * replySpreadMs),
      )
      .unref();
  }
}
