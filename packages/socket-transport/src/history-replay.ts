// A subscriber that joined a publication with history, catching up from the history ring
// before it takes live messages.
import type { HistoryRing } from './history-ring.js';
import type { SubscriberConnection } from './subscriber-connection.js';
import { DATA_HEADER_SIZE } from './wire-format.js';

/**
 * The replay for one joining subscriber: a position in the publication's {@link HistoryRing}
 * from which it queues the retained messages onto the connection, as far as the connection's
 * bound allows, until it reaches the ring's end. Every message the publication sends
 * meanwhile goes into the ring (and not to this connection), so the replay reaches it too: the
 * subscriber receives each message once, in order, whether it was retained before it joined or
 * sent while it caught up. Once {@link caughtUp}, the publication moves the connection to its
 * live subscribers, in the same turn, before any further send.
 *
 * Under `'reliable'` the publication refuses a send that would overwrite a message the replay
 * has not queued yet ({@link ringHasRoom}); under `'latest'` it overwrites, and the replay skips
 * what it missed, counting it as dropped for this subscriber.
 */
export class HistoryReplay {
  /** The joining subscriber. */
  readonly connection: SubscriberConnection;
  readonly #ring: HistoryRing;
  #position: number;

  /** Replays `ring` to `connection` from `position` (within the ring's `[oldest, end]`). */
  constructor(connection: SubscriberConnection, ring: HistoryRing, position: number) {
    this.connection = connection;
    this.#ring = ring;
    this.#position = position;
  }

  /** Whether every message in the ring has been queued: from now on the connection takes live messages. */
  get caughtUp(): boolean {
    return this.#position >= this.#ring.end;
  }

  /** Whether the ring can take another message without overwriting one this replay has not queued yet. */
  get ringHasRoom(): boolean {
    return this.#ring.end - this.#position < this.#ring.capacity;
  }

  /**
   * Queues retained messages while the connection has room for them (always at least one into
   * an empty queue). First skips, counting them as dropped, the messages the ring overwrote
   * before they were queued (only `'latest'` lets that happen).
   */
  pump(): void {
    const ring = this.#ring;
    const connection = this.connection;
    const oldest = ring.oldest;
    if (this.#position < oldest) {
      connection.countDropped(oldest - this.#position);
      this.#position = oldest;
    }
    const end = ring.end;
    let position = this.#position;
    while (position < end && connection.hasRoom(DATA_HEADER_SIZE + ring.lengthAt(position))) {
      connection.append(ring.dataAt(position), ring.sequenceAt(position));
      position++;
    }
    this.#position = position;
  }

  /** Queues everything left, past the connection's bound (the publication is closing and delivers what it accepted). */
  pumpAll(): void {
    const ring = this.#ring;
    if (this.#position < ring.oldest) {
      this.connection.countDropped(ring.oldest - this.#position);
      this.#position = ring.oldest;
    }
    for (; this.#position < ring.end; this.#position++) {
      this.connection.append(ring.dataAt(this.#position), ring.sequenceAt(this.#position));
    }
  }
}
