// What a subscription received and poll() has not consumed yet: the bytes of each connection
// as a stream of their own, oldest first, so that a reconnection never mixes them.
import type { FrameDecoder } from './frame-decoder.js';

/** The bytes of one connection, in arrival order. */
export interface Stream {
  readonly decoder: FrameDecoder;
  /** Its connection is gone: what remains is all there will be. */
  finished: boolean;
}

/** Whether `stream` holds a complete frame, or a broken one (which poll() reports). */
export function hasCompleteFrame(stream: Stream): boolean {
  try {
    return stream.decoder.peekCompleteType() !== 0;
  } catch {
    return true;
  }
}

/** The streams of one subscription, oldest first; poll() reads the oldest. */
export class ReceivedStreams {
  readonly #streams: Stream[] = [];

  /** The oldest stream, the one poll() reads. */
  get head(): Stream | undefined {
    return this.#streams[0];
  }

  /** Received bytes not consumed yet, in all streams. */
  get bufferedBytes(): number {
    let total = 0;
    for (const stream of this.#streams) total += stream.decoder.bufferedBytes;
    return total;
  }

  /** Starts the stream of a new connection, whose bytes `decoder` receives. */
  add(decoder: FrameDecoder): Stream {
    const stream: Stream = { decoder, finished: false };
    this.#streams.push(stream);
    return stream;
  }

  /** Whether poll() has something to hand over or report. */
  hasDeliverable(): boolean {
    for (const stream of this.#streams) if (hasCompleteFrame(stream)) return true;
    return false;
  }

  /** Discards what is left of `stream` and removes it. */
  remove(stream: Stream): void {
    stream.decoder.discard();
    const index = this.#streams.indexOf(stream);
    if (index !== -1) this.#streams.splice(index, 1);
  }

  /** Discards every stream. */
  clear(): void {
    for (const stream of this.#streams.splice(0)) stream.decoder.discard();
  }
}
