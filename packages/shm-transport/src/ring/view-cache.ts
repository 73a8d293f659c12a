// Entries all view caches of the process may hold together (8 bytes each, plus the views they
// keep alive, ~100 bytes each): with thousands of subscriptions, the busiest get a cache and
// the others allocate a view per message, like any library that hands out views.
const PROCESS_BUDGET = 1 << 18;
const FIRST_SIZE = 64;
let available = PROCESS_BUDGET;

/**
 * Zero-copy views of one ring's payloads, cached by ring offset (direct-mapped), so that steady
 * traffic of recurring sizes allocates nothing. Built lazily: empty until the first message,
 * then doubled each time it has missed more often than it has entries (its working set did not
 * fit), up to `limit` entries and within a budget shared by every cache of the process. Hits
 * cost one array load and two compares.
 */
export class ViewCache {
  readonly #buffer: ArrayBuffer;
  readonly #limit: number;
  #views: (Uint8Array | undefined)[] = [];
  #mask = 0;
  #misses = 0;

  /** Views into `buffer`; at most `limit` entries (a power of two). */
  constructor(buffer: ArrayBuffer, limit: number) {
    this.#buffer = buffer;
    this.#limit = limit;
  }

  /** Entries held now. */
  get size(): number {
    return this.#views.length;
  }

  /** A view of `size` bytes at byte `start` of the buffer; `key` identifies the slot (the record offset / 8). */
  view(start: number, size: number, key: number): Uint8Array {
    const views = this.#views;
    const index = key & this.#mask;
    const cached = views[index];
    if (cached?.byteOffset === start && cached.length === size) return cached;
    const view = new Uint8Array(this.#buffer, start, size);
    if (views.length !== 0) views[index] = view;
    if (++this.#misses > views.length) this.#grow();
    return view;
  }

  /** Gives the entries back to the process budget. Idempotent. */
  release(): void {
    available += this.#views.length;
    this.#views = [];
    this.#mask = 0;
  }

  #grow(): void {
    this.#misses = 0;
    const size = Math.max(FIRST_SIZE, this.#views.length * 2);
    const more = size - this.#views.length;
    if (size > this.#limit || more > available) return;
    available -= more;
    this.#views = new Array<Uint8Array | undefined>(size).fill(undefined);
    this.#mask = size - 1;
  }
}

/** Entries left in the process budget (for tests and diagnostics). */
export function viewCacheBudget(): number {
  return available;
}
