import type { Advertisement } from '@seamless/transport';
import type { AdvertisementTable } from '../advertisement-table.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import { keyOf } from '../publisher-key.js';
import type { PublisherKey } from '../publisher-key.js';
import { AdvertisementDigest, advertisementHash } from './advertisement-digest.js';

/** What a {@link RemoteView} needs from its resolver. */
export interface RemoteViewOptions {
  /** Where the view's advertisements are published (shared with this resolver's own). */
  readonly table: AdvertisementTable;
  /** Whether this resolver itself advertises that publisher: then its own entry is authoritative. */
  readonly isOwn: (advertisement: Advertisement) => boolean;
  readonly maxAdvertisements: number;
  /** How long a goodbye is remembered, so that a late copy of an older announcement cannot undo it. */
  readonly tombstoneMs: number;
  /** The first wait before asking a sender again for everything; doubles while it does not help, up to a minute. */
  readonly repairBackoffMs: number;
  /** Called once per advertisement ignored because `maxAdvertisements` was reached. */
  readonly onDropped: () => void;
}

/** A heartbeat's claims (see datagram-codec.ts). */
export interface HeartbeatClaim {
  readonly leaseMs: number;
  readonly count: number;
  readonly digest: number;
  readonly round: number;
  readonly running: boolean;
}

interface Sender {
  readonly id: string;
  expiresAt: number;
  /** Its advertisements we hold, by key. */
  readonly keys: Map<string, Entry>;
  readonly digest: AdvertisementDigest;
  /** Some advertisement of this sender was dropped (table full): it cannot be complete, do not ask. */
  dropped: boolean;
  /** When we last asked it for everything. */
  askedAt: number;
  repairBackoffMs: number;
  /** How many of its advertisements we held when we last asked. */
  heldAtRepair: number;
}

interface Entry {
  readonly sender: Sender;
  readonly sequence: number;
  readonly round: number;
  readonly hash: number;
  readonly checked: CheckedAdvertisement;
}

interface Tombstone {
  readonly sender: string;
  readonly sequence: number;
  readonly until: number;
}

const maxRepairBackoffMs = 60_000;

/**
 * What the peers of a MulticastResolver announced, by sender: each sender's advertisements live
 * while its datagrams keep coming (the lease of its last announcement or heartbeat), and are
 * checked against its heartbeat. When they do not match, the view either drops what the sender
 * provably withdrew (announced before its last completed round and not since) or says that the
 * sender should be asked for everything again — with a backoff that doubles while asking does
 * not help (we hold no more than when we last asked), so a peer that cannot be matched never
 * causes a storm.
 */
export class RemoteView {
  readonly #options: RemoteViewOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #senders = new Map<string, Sender>();
  readonly #tombstones = new Map<string, Tombstone>();
  readonly #departed = new Map<string, Tombstone>();
  #quietUntil = 0;

  constructor(options: RemoteViewOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * We just asked every peer for everything (the start-up query): their answers are on the
   * way, so a heartbeat that does not match yet is no reason to ask again for a backoff.
   */
  askedEveryone(now: number): void {
    this.#quietUntil = now + this.#options.repairBackoffMs;
  }

  /** Whether `sender` is known (it announced something that is still held). */
  knows(sender: string): boolean {
    return this.#senders.has(sender);
  }

  announced(senderId: string, sequence: number, leaseMs: number, round: number, list: readonly CheckedAdvertisement[], now: number): void {
    const departed = this.#departed.get(senderId);
    if (departed !== undefined && !isNewer(sequence, departed.sequence)) return;
    this.#departed.delete(senderId);
    const sender = this.#sender(senderId);
    sender.expiresAt = Math.max(sender.expiresAt, now + leaseMs);
    for (const checked of list) {
      const key = keyOf(checked.advertisement);
      const tombstone = this.#tombstones.get(key);
      if (tombstone?.sender === senderId && !isNewer(sequence, tombstone.sequence)) continue;
      const existing = this.#entries.get(key);
      if (existing?.sender === sender && !isNewer(sequence, existing.sequence)) continue;
      if (existing === undefined && this.#entries.size >= this.#options.maxAdvertisements) {
        sender.dropped = true;
        this.#options.onDropped();
        continue;
      }
      this.#tombstones.delete(key);
      if (existing !== undefined) this.#detach(key, existing);
      const entry: Entry = { sender, sequence, round, hash: advertisementHash(checked.json), checked };
      this.#entries.set(key, entry);
      sender.keys.set(key, entry);
      sender.digest.add(entry.hash);
      if (!this.#options.isOwn(checked.advertisement)) this.#options.table.set(checked);
    }
  }

  goodbye(senderId: string, sequence: number, withdrawn: readonly PublisherKey[] | 'all', now: number): void {
    if (withdrawn === 'all') {
      const sender = this.#senders.get(senderId);
      this.#departed.set(senderId, { sender: senderId, sequence, until: now + this.#options.tombstoneMs });
      if (sender !== undefined) this.#dropSender(sender, 'revoked');
      return;
    }
    for (const { topic, publisherId } of withdrawn) {
      const key = keyOf({ topic, publisherId });
      const existing = this.#entries.get(key);
      // Only the instance that announced it may withdraw it, and only with a newer datagram.
      if (existing !== undefined && (existing.sender.id !== senderId || !isNewer(sequence, existing.sequence))) continue;
      if (existing !== undefined) this.#remove(key, existing, 'revoked');
      if (this.#tombstones.size < this.#options.maxAdvertisements) {
        this.#tombstones.set(key, { sender: senderId, sequence, until: now + this.#options.tombstoneMs });
      }
    }
  }

  /**
   * Renews `senderId` and checks what we hold of it against its claim. Returns true when the
   * sender should be asked for everything (a query for it): we miss something, or hold an
   * older version, and asking is not backed off.
   */
  heartbeat(senderId: string, sequence: number, claim: HeartbeatClaim, now: number): boolean {
    const departed = this.#departed.get(senderId);
    if (departed !== undefined && !isNewer(sequence, departed.sequence)) return false;
    let sender = this.#senders.get(senderId);
    if (sender === undefined) {
      if (claim.count === 0) return false;
      sender = this.#sender(senderId);
    }
    sender.expiresAt = Math.max(sender.expiresAt, now + claim.leaseMs);
    if (claim.running) return false;
    if (sender.digest.matches(claim.count, claim.digest)) {
      this.#repaired(sender);
      if (claim.count === 0) this.#senders.delete(senderId);
      return false;
    }
    if (claim.round !== 0 && this.#dropStale(sender, claim)) return false;
    if (sender.dropped || now < this.#quietUntil) return false;
    // Asking helped (we hold more than when we last asked, so the answer came): ask again at
    // once. Otherwise the answer may be on its way, or asking does not help: back off, further
    // each time.
    const progressed = sender.keys.size > sender.heldAtRepair;
    if (progressed) sender.repairBackoffMs = this.#options.repairBackoffMs;
    else if (now - sender.askedAt < sender.repairBackoffMs) return false;
    else sender.repairBackoffMs = Math.min(maxRepairBackoffMs, sender.repairBackoffMs * 2);
    sender.askedAt = now;
    sender.heldAtRepair = sender.keys.size;
    return true;
  }

  /** Removes the advertisements of senders whose lease ran out; returns how many. */
  sweep(now: number): number {
    let expired = 0;
    for (const sender of this.#senders.values()) {
      if (sender.expiresAt <= now) expired += this.#dropSender(sender, 'expired');
    }
    for (const [key, tombstone] of this.#tombstones) if (tombstone.until <= now) this.#tombstones.delete(key);
    for (const [key, tombstone] of this.#departed) if (tombstone.until <= now) this.#departed.delete(key);
    return expired;
  }

  /** Forgets everything without reporting it (the resolver is closing). */
  clear(): void {
    this.#entries.clear();
    this.#senders.clear();
    this.#tombstones.clear();
    this.#departed.clear();
  }

  /**
   * When what the sender announced since its last completed round began is exactly what it
   * claims, everything else we hold of it was withdrawn (we missed the goodbye): drop it.
   */
  #dropStale(sender: Sender, claim: HeartbeatClaim): boolean {
    const current = new AdvertisementDigest();
    const stale: [string, Entry][] = [];
    for (const [key, entry] of sender.keys) {
      if (isNewer(claim.round, entry.round)) stale.push([key, entry]);
      else current.add(entry.hash);
    }
    if (stale.length === 0 || !current.matches(claim.count, claim.digest)) return false;
    for (const [key, entry] of stale) this.#remove(key, entry, 'revoked');
    this.#repaired(sender);
    return true;
  }

  /** The sender matches again: the next mismatch is asked about at once. */
  #repaired(sender: Sender): void {
    sender.askedAt = Number.NEGATIVE_INFINITY;
    sender.heldAtRepair = 0;
    sender.repairBackoffMs = this.#options.repairBackoffMs;
  }

  #sender(id: string): Sender {
    let sender = this.#senders.get(id);
    if (sender === undefined) {
      sender = {
        id,
        expiresAt: 0,
        keys: new Map(),
        digest: new AdvertisementDigest(),
        dropped: false,
        askedAt: Number.NEGATIVE_INFINITY,
        repairBackoffMs: this.#options.repairBackoffMs,
        heldAtRepair: 0,
      };
      this.#senders.set(id, sender);
    }
    return sender;
  }

  #dropSender(sender: Sender, reason: string): number {
    let removed = 0;
    for (const [key, entry] of sender.keys) {
      this.#entries.delete(key);
      if (this.#unpublish(entry, reason)) removed += 1;
    }
    this.#senders.delete(sender.id);
    return removed;
  }

  #remove(key: string, entry: Entry, reason: string): void {
    this.#detach(key, entry);
    this.#entries.delete(key);
    this.#unpublish(entry, reason);
  }

  #detach(key: string, entry: Entry): void {
    entry.sender.keys.delete(key);
    entry.sender.digest.remove(entry.hash);
  }

  /** Removes the entry from the table unless this resolver's own advertisement stands there. */
  #unpublish(entry: Entry, reason: string): boolean {
    const { advertisement } = entry.checked;
    if (this.#options.isOwn(advertisement)) return false;
    return this.#options.table.delete(advertisement.topic, advertisement.publisherId, reason);
  }
}

/** Serial-number comparison (RFC 1982) of two uint32 sequence numbers. */
export function isNewer(candidate: number, reference: number): boolean {
  const difference = (candidate - reference) >>> 0;
  return difference !== 0 && difference < 0x80000000;
}
