// The latest messages of one publication, kept for subscribers that attach later.

/** Slot buffers are allocated in multiples of this many bytes, so that sizes close to each other share them. */
const slotGranule = 64;

function slotCapacity(length: number): number {
  return Math.max(slotGranule, Math.ceil(length / slotGranule) * slotGranule);
}

/**
 * A ring of `capacity` slots, each holding a copy of one message and its sequence number: the
 * last `capacity` messages pushed. Positions are absolute: the n-th message ever pushed has
 * position n - 1, and the ring holds positions `[oldest, end)`.
 *
 * Memory: each slot keeps its copy in a buffer of its own, which it reuses for a later message
 * that fits and is at least half its size, so a full ring holds at most about twice the bytes
 * of the messages it retains (each rounded up to 64 bytes), and a steady stream of similar
 * sizes allocates nothing after the first round. Each retained message costs about 200 bytes
 * more (its buffer object, the slot's length and sequence number: measured 284 bytes per slot
 * for 64-byte messages, 1227 for 1000-byte ones).
 *
 * @example
 * ```ts no-run
 * const ring = new HistoryRing(10);
 * for (let sequence = 0; sequence < 100; sequence++) ring.push(payload(sequence), sequence);
 * ring.oldest; // 90: positions 90..99 are kept
 * ring.sequenceAt(ring.oldest); // 90
 * ```
 */
export class HistoryRing {
  /** How many messages it keeps. */
  readonly capacity: number;
  readonly #buffers: (Buffer | undefined)[];
  readonly #lengths: Uint32Array;
  readonly #sequences: Float64Array;
  #end = 0;
  #slot = 0;

  /** @param capacity at least 1. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#buffers = new Array<Buffer | undefined>(capacity).fill(undefined);
    this.#lengths = new Uint32Array(capacity);
    this.#sequences = new Float64Array(capacity);
  }

  /** The position after the newest message (how many were ever pushed). */
  get end(): number {
    return this.#end;
  }

  /** The position of the oldest message kept (`end` when empty). */
  get oldest(): number {
    return this.#end > this.capacity ? this.#end - this.capacity : 0;
  }

  /** Keeps a copy of `data` as message `sequence`, replacing the oldest when full. */
  push(data: Uint8Array, sequence: number): void {
    const slot = this.#slot;
    const length = data.byteLength;
    let buffer = this.#buffers[slot];
    if (buffer === undefined || buffer.byteLength < length || buffer.byteLength > 2 * slotCapacity(length)) {
      buffer = Buffer.allocUnsafeSlow(slotCapacity(length));
      this.#buffers[slot] = buffer;
    }
    buffer.set(data, 0);
    this.#lengths[slot] = length;
    this.#sequences[slot] = sequence;
    this.#end++;
    this.#slot = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  /** The sequence number of the message at `position`, which must be within `[oldest, end)`. */
  sequenceAt(position: number): number {
    return this.#sequences[position % this.capacity] ?? 0;
  }

  /** The size in bytes of the message at `position`, which must be within `[oldest, end)`. */
  lengthAt(position: number): number {
    return this.#lengths[position % this.capacity] ?? 0;
  }

  /** The bytes of the message at `position` (within `[oldest, end)`): a view, valid until that slot is reused. */
  dataAt(position: number): Uint8Array {
    const slot = position % this.capacity;
    return (this.#buffers[slot] ?? Buffer.alloc(0)).subarray(0, this.#lengths[slot] ?? 0);
  }

  /**
   * Where a stream that wants the messages numbered `sequence` and later starts: the first
   * position from which every message kept is numbered at least `sequence` (`end` when the
   * newest is numbered lower). Messages are numbered in increasing order, so this is the first
   * message numbered `sequence` or more.
   */
  firstFrom(sequence: number): number {
    const oldest = this.oldest;
    let position = this.#end;
    while (position > oldest && this.sequenceAt(position - 1) >= sequence) position--;
    return position;
  }

  /** Lets go of every copy (the publication closed). */
  clear(): void {
    this.#buffers.fill(undefined);
    this.#end = 0;
    this.#slot = 0;
  }
}
