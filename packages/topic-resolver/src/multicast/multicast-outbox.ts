import { realTimers } from '@seamless/transport';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import type { LeaseRecord } from '../lease-book.js';
import { keyOf } from '../publisher-key.js';
import type { PublisherKey } from '../publisher-key.js';
import { AdvertisementDigest, advertisementHash } from './advertisement-digest.js';
import {
  BATCH_DATAGRAM_BYTES,
  DATAGRAM_HEADER_BYTES,
  MAX_BATCH_ENTRIES,
  announcePayloadBytes,
  encodeDatagram,
  goodbyePayloadBytes,
  publisherKeyJson,
} from './datagram-codec.js';
import type { QueryScope } from './datagram-codec.js';

/** What the outbox needs from its resolver. */
export interface OutboxOptions {
  /** This resolver instance's sender id (16 hex digits). */
  readonly sender: string;
  /** The lease announcements and heartbeats carry. */
  readonly leaseMs: number;
  /** The average rate of sending, bytes per second, and the most sent at once. */
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  /** Hands one datagram to the sockets. */
  readonly send: (bytes: Buffer) => void;
  /** The leases to re-announce in a round, and whether one is still current. */
  readonly records: () => readonly LeaseRecord[];
  readonly isCurrent: (record: LeaseRecord) => boolean;
}

interface Measured {
  readonly hash: number;
  readonly bytes: number;
}

interface Withdrawal {
  readonly key: PublisherKey;
  readonly json: string;
}

/**
 * Everything a MulticastResolver sends, paced by a token bucket (`bytesPerSecond`, bursts of
 * `burstBytes`) so that ten thousand advertisements never flood a receiver's socket buffer.
 * In order of priority: heartbeats and queries; goodbyes; new or changed advertisements and
 * answers to topic queries; then a round, the re-announcement of every advertisement, started
 * when a peer asks for everything. Goodbyes and announcements are packed into datagrams of at
 * most {@link BATCH_DATAGRAM_BYTES}.
 *
 * The heartbeat describes what has been *sent* (count and digest of what was announced and not
 * withdrawn), and is built when it leaves, so a receiver that heard every earlier datagram of
 * this sender holds exactly that. It also names the last completed round: every advertisement
 * announced since that round began is current, so a receiver may drop those of this sender it
 * holds from before (a goodbye it missed).
 */
export class MulticastOutbox {
  readonly #options: OutboxOptions;
  readonly #urgent: (() => Buffer)[] = [];
  /** The scopes of the queries queued and not sent yet. */
  readonly #queuedQueries = new Set<string>();
  readonly #goodbyes = new Map<string, Withdrawal>();
  readonly #fresh = new Map<string, LeaseRecord>();
  readonly #sent = new Map<string, number>();
  readonly #digest = new AdvertisementDigest();
  readonly #measured = new WeakMap<CheckedAdvertisement, Measured>();
  #sequence = 0;
  #round = 0;
  #completedRound = 0;
  #running = false;
  #again = false;
  #cursor: readonly LeaseRecord[] = [];
  #cursorIndex = 0;
  #tokens: number;
  #refilledAt = realTimers.now();
  #scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;
  #closed = false;
  #announcedAny = false;
  #rounds = 0;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#tokens = options.burstBytes;
  }

  /** Whether any advertisement was ever announced (then heartbeats are due). */
  get announcedAny(): boolean {
    return this.#announcedAny;
  }

  /** Rounds completed. */
  get rounds(): number {
    return this.#rounds;
  }

  /** Whether there is anything left to send. */
  get idle(): boolean {
    return this.#urgent.length === 0 && this.#goodbyes.size === 0 && this.#fresh.size === 0 && !this.#running;
  }

  nextSequence(): number {
    this.#sequence = (this.#sequence + 1) >>> 0;
    return this.#sequence;
  }

  /** Queues an announcement of `record` (new, changed, or asked for). */
  announce(record: LeaseRecord): void {
    const key = keyOf(record.checked.advertisement);
    this.#goodbyes.delete(key);
    this.#fresh.set(key, record);
    this.#announcedAny = true;
    this.#wake();
  }

  /** Queues a goodbye for `key`, unless it was never announced. */
  withdraw(key: PublisherKey): void {
    const id = keyOf(key);
    this.#fresh.delete(id);
    if (this.#sent.has(id)) this.#goodbyes.set(id, { key, json: publisherKeyJson(key) });
    this.#wake();
  }

  /** Re-announces everything, once more after the running round if one is under way. */
  startRound(): void {
    if (this.#running) this.#again = true;
    else this.#beginRound();
    this.#wake();
  }

  /** Queues a heartbeat, built when it is sent. */
  heartbeat(): void {
    this.#urgent.push(() =>
      encodeDatagram({
        kind: 'heartbeat',
        sender: this.#options.sender,
        sequence: this.nextSequence(),
        leaseMs: this.#options.leaseMs,
        count: this.#digest.count,
        digest: this.#digest.digest,
        round: this.#completedRound,
        running: this.#running,
      }),
    );
    this.#wake();
  }

  /** Queues a query; one already queued for the same scope and not sent yet stands for both. */
  query(scope: QueryScope): void {
    const key = JSON.stringify(scope);
    if (this.#queuedQueries.has(key)) return;
    this.#queuedQueries.add(key);
    this.#urgent.push(() => {
      this.#queuedQueries.delete(key);
      return encodeDatagram({ kind: 'query', sender: this.#options.sender, sequence: this.nextSequence(), scope });
    });
    this.#wake();
  }

  /** Stops sending; returns the goodbye for everything ever announced, to send at once (or nothing). */
  close(): Buffer | undefined {
    this.#closed = true;
    realTimers.clearImmediate(this.#scheduled as NodeJS.Immediate);
    realTimers.clearTimeout(this.#scheduled as NodeJS.Timeout);
    this.#scheduled = undefined;
    if (!this.announcedAny) return undefined;
    return encodeDatagram({ kind: 'goodbye', sender: this.#options.sender, sequence: this.nextSequence(), withdrawn: 'all' });
  }

  #beginRound(): void {
    this.#round = this.#round === 0xffffffff ? 1 : this.#round + 1;
    this.#running = true;
    // In a new random order each time: a receiver that loses part of every burst then loses
    // other advertisements in each round, not the same ones again.
    this.#cursor = shuffled(this.#options.records());
    this.#cursorIndex = 0;
  }

  /** Sends on the next turn of the event loop, so that a burst of calls fills batches. */
  #wake(): void {
    if (this.#scheduled !== undefined || this.#closed) return;
    // Not unref()'d: an unref()'d immediate lets the event loop block in poll and run late.
    this.#scheduled = realTimers.setImmediate(() => {
      this.#scheduled = undefined;
      this.#pump();
    });
  }

  #pump(): void {
    const now = realTimers.now();
    const { bytesPerSecond, burstBytes } = this.#options;
    this.#tokens = Math.min(burstBytes, this.#tokens + ((now - this.#refilledAt) * bytesPerSecond) / 1000);
    this.#refilledAt = now;
    while (this.#tokens > 0) {
      const bytes = this.#next();
      if (bytes === undefined) return;
      this.#tokens -= bytes.byteLength;
      this.#options.send(bytes);
    }
    if (this.idle) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / bytesPerSecond));
    this.#scheduled = realTimers
      .setTimeout(() => {
        this.#scheduled = undefined;
        this.#pump();
      }, waitMs)
      .unref();
  }

  #next(): Buffer | undefined {
    const urgent = this.#urgent.shift();
    if (urgent !== undefined) return urgent();
    if (this.#goodbyes.size > 0) return this.#goodbyeBatch();
    if (this.#fresh.size > 0) {
      const batch = this.#fill(this.#fresh.values(), (record) => this.#fresh.delete(keyOf(record.checked.advertisement)));
      return this.#announceBatch(batch);
    }
    if (this.#running) {
      const batch = this.#fill(this.#roundCandidates(), () => {
        this.#cursorIndex += 1;
      });
      // Encoded before the round completes: it belongs to this round, and precedes its heartbeat.
      const bytes = batch.length > 0 ? this.#announceBatch(batch) : undefined;
      if (this.#cursorIndex >= this.#cursor.length) this.#completeRound();
      return bytes ?? this.#next();
    }
    return undefined;
  }

  /** The rest of the round's cursor, skipping (and consuming) leases revoked or queued anyway. */
  *#roundCandidates(): Generator<LeaseRecord> {
    for (let record = this.#cursor.at(this.#cursorIndex); record !== undefined; record = this.#cursor.at(this.#cursorIndex)) {
      if (this.#options.isCurrent(record) && !this.#fresh.has(keyOf(record.checked.advertisement))) yield record;
      else this.#cursorIndex += 1;
    }
  }

  #completeRound(): void {
    this.#running = false;
    this.#completedRound = this.#round;
    this.#rounds += 1;
    this.#cursor = [];
    this.heartbeat();
    if (this.#again) {
      this.#again = false;
      this.#beginRound();
    }
  }

  /** Takes records from `candidates` while they fit one datagram (at least one), `take`-ing each. */
  #fill(candidates: Iterator<LeaseRecord>, take: (record: LeaseRecord) => void): LeaseRecord[] {
    const batch: LeaseRecord[] = [];
    let jsonBytes = 0;
    for (let step = candidates.next(); step.done !== true; step = candidates.next()) {
      const record = step.value;
      const { bytes } = this.#measure(record.checked);
      const size = DATAGRAM_HEADER_BYTES + announcePayloadBytes(this.#options.leaseMs, this.#round, batch.length + 1, jsonBytes + bytes);
      if (batch.length > 0 && (size > BATCH_DATAGRAM_BYTES || batch.length === MAX_BATCH_ENTRIES)) break;
      batch.push(record);
      jsonBytes += bytes;
      take(record);
    }
    return batch;
  }

  #announceBatch(batch: readonly LeaseRecord[]): Buffer {
    for (const record of batch) {
      const key = keyOf(record.checked.advertisement);
      const previous = this.#sent.get(key);
      const { hash } = this.#measure(record.checked);
      if (previous !== undefined) this.#digest.remove(previous);
      this.#sent.set(key, hash);
      this.#digest.add(hash);
    }
    return encodeDatagram({
      kind: 'announce',
      sender: this.#options.sender,
      sequence: this.nextSequence(),
      leaseMs: this.#options.leaseMs,
      round: this.#round,
      advertisements: batch.map((record) => record.checked),
    });
  }

  #goodbyeBatch(): Buffer {
    const withdrawn: PublisherKey[] = [];
    let jsonBytes = 0;
    for (const [id, withdrawal] of this.#goodbyes) {
      const bytes = Buffer.byteLength(withdrawal.json);
      const size = DATAGRAM_HEADER_BYTES + goodbyePayloadBytes(withdrawn.length + 1, jsonBytes + bytes);
      if (withdrawn.length > 0 && (size > BATCH_DATAGRAM_BYTES || withdrawn.length === MAX_BATCH_ENTRIES)) break;
      withdrawn.push(withdrawal.key);
      jsonBytes += bytes;
      this.#goodbyes.delete(id);
      const previous = this.#sent.get(id);
      if (previous !== undefined) {
        this.#sent.delete(id);
        this.#digest.remove(previous);
      }
    }
    return encodeDatagram({ kind: 'goodbye', sender: this.#options.sender, sequence: this.nextSequence(), withdrawn });
  }

  #measure(checked: CheckedAdvertisement): Measured {
    let measured = this.#measured.get(checked);
    if (measured === undefined) {
      measured = { hash: advertisementHash(checked.json), bytes: Buffer.byteLength(checked.json) };
      this.#measured.set(checked, measured);
    }
    return measured;
  }
}

/** A copy of `list` in random order (Fisher–Yates). */
function shuffled<T>(list: readonly T[]): T[] {
  const copy = [...list];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
