/**
 * The writer's own list of where its last `count` data records start, so that it can tell
 * joining readers where the oldest of them is (the header's history start). Kept in the
 * writer's memory, not in the segment: nothing a reader writes can change it.
 *
 * @example
 * ```ts
 * const retained = new RetainedRecords(2, 0);
 * retained.add(0); retained.add(80); // oldest: 0
 * retained.add(160);                 // oldest: 80
 * ```
 */
export class RetainedRecords {
  readonly #positions: Uint32Array;
  #next = 0;
  #count = 0;
  #oldest: number;

  /** Retains the positions of the last `count` (at least 1) records; none yet, the ring's tail at `tail`. */
  constructor(count: number, tail: number) {
    this.#positions = new Uint32Array(count);
    this.#oldest = tail;
  }

  /** Where the oldest retained record starts; the tail given at construction while there is none. */
  get oldest(): number {
    return this.#oldest;
  }

  /** A data record was committed at `position`; returns where the oldest retained one now starts. */
  add(position: number): number {
    const positions = this.#positions;
    positions[this.#next] = position;
    const next = this.#next + 1 === positions.length ? 0 : this.#next + 1;
    this.#next = next;
    if (this.#count === positions.length) {
      // Full: the entry after the newest is the oldest of the last `count`.
      this.#oldest = positions[next] ?? position;
    } else if (this.#count++ === 0) {
      this.#oldest = position;
    }
    return this.#oldest;
  }
}
