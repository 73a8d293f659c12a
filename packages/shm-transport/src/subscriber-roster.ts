import type { ProcessMonitor } from '@seamless/local-addrs';
import type { PublicationListener, SubscriberInfo } from '@seamless/transport';
import { forEachActiveSlot, isActiveSlot, slotOwner, slotPidIndex, slotPresence, slotTicket } from './ring/reader-slots.js';
import { SHM_TRANSPORT_KIND } from './shm-endpoint.js';

/** One attachment the roster knows: the reader of a slot, as it was when first seen. */
export interface RosterEntry {
  readonly slot: number;
  /** The generation its reader took as it joined (the slot's ticket). */
  readonly ticket: number;
  /** Its process's presence token. */
  readonly presence: string;
  /** What `subscriberAdded` reported, and `subscriberRemoved` will. */
  readonly info: SubscriberInfo;
}

/**
 * The subscribers of one shared-memory publication as it knows them: one entry per active
 * reader slot it has seen, each with a watch on its process (one sweep for the whole process).
 * {@link update} compares the entries with the segment's slots and reports the differences to
 * the publication's listener, removals first: a slot no longer active, or held by another
 * attachment (another ticket or presence: a reader that left and one that came, even of the
 * same process), is a removal; an active slot not known yet is an addition. So each attachment
 * is reported added once and, after that, removed once; one that came and went between two
 * updates is never reported.
 *
 * The publication calls `update` whenever the segment's generation changed (every join and
 * leave bumps it and rings the publication's doorbell) and after every eviction of a dead
 * reader, always from the event loop.
 *
 * `id` is `<presence>-<slot>-<ticket>`: unique among the publication's attachments past and
 * present (the ticket alone is, until 2^32 joins). `pid` is the one the reader recorded, which
 * may belong to another PID namespace. `hostname` is left out: a reader on this host may still
 * run in a container with a host name of its own, which the slot does not record.
 *
 * @example
 * ```ts
 * const roster = new SubscriberRoster(words, bytes, monitor, (entry) => evictIfStillThere(entry));
 * roster.update(listener); // subscriberAdded({ transport: 'shm', id: '3f…-0-7', pid: 4242 })
 * ```
 */
export class SubscriberRoster {
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #monitor: ProcessMonitor;
  readonly #died: (entry: RosterEntry) => void;
  readonly #entries = new Map<number, { readonly entry: RosterEntry; readonly stop: () => void }>();

  /** `died` is called, from the monitor's sweep, when the process of a known entry is gone. */
  constructor(words: Int32Array, bytes: Uint8Array, monitor: ProcessMonitor, died: (entry: RosterEntry) => void) {
    this.#words = words;
    this.#bytes = bytes;
    this.#monitor = monitor;
    this.#died = died;
  }

  /** How many attachments it knows. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `entry` is still the attachment of its slot, as far as the segment says. */
  holds(entry: RosterEntry): boolean {
    return this.#entries.get(entry.slot)?.entry === entry && this.#current(entry.slot, entry);
  }

  /** Compares with the segment's slots, reporting removals, then additions, to `listener`. */
  update(listener: PublicationListener | undefined): void {
    const removed: SubscriberInfo[] = [];
    for (const [slot, known] of this.#entries) {
      if (this.#current(slot, known.entry)) continue;
      known.stop();
      this.#entries.delete(slot);
      removed.push(known.entry.info);
    }
    const added: SubscriberInfo[] = [];
    forEachActiveSlot(this.#words, (slot) => {
      if (!this.#entries.has(slot)) added.push(this.#add(slot).info);
    });
    for (const info of removed) listener?.subscriberRemoved?.(info);
    for (const info of added) listener?.subscriberAdded?.(info);
  }

  /** Stops every watch and forgets every entry, reporting nothing (the publication closes). */
  clear(): void {
    for (const { stop } of this.#entries.values()) stop();
    this.#entries.clear();
  }

  #current(slot: number, entry: RosterEntry): boolean {
    return (
      isActiveSlot(this.#words, slot) &&
      slotTicket(this.#words, slot) === entry.ticket &&
      slotPresence(this.#bytes, slot) === entry.presence
    );
  }

  #add(slot: number): RosterEntry {
    // The slot was seen active (an Atomics load): its reader's stores before it activated the
    // slot, ticket, presence and pid included, are visible.
    const ticket = slotTicket(this.#words, slot);
    const owner = slotOwner(this.#bytes, this.#words, slot);
    const pid = (this.#words[slotPidIndex(slot)] ?? 0) >>> 0;
    const info: SubscriberInfo = Object.freeze({
      transport: SHM_TRANSPORT_KIND,
      id: `${owner.presence}-${slot}-${ticket}`,
      ...(pid === 0 ? {} : { pid }),
    });
    const entry: RosterEntry = { slot, ticket, presence: owner.presence, info };
    const stop = this.#monitor.watch(owner, () => {
      this.#died(entry);
    });
    this.#entries.set(slot, { entry, stop });
    return entry;
  }
}
