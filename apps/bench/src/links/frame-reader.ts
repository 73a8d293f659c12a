/**
 * Splits a byte stream into length-prefixed frames (`uint32 LE length | payload`), as raw
 * node:net users do: chunks are joined only while a frame is incomplete, and each payload is
 * handed over as a view of the chunk.
 */
export class FrameReader {
  #pending: Buffer | undefined;

  /** Feeds one chunk; calls `handler` with every payload it completes. */
  push(chunk: Buffer, handler: (payload: Uint8Array) => void): void {
    const buffer = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32LE(offset);
      if (buffer.length - offset - 4 < length) break;
      handler(buffer.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    this.#pending = offset === buffer.length ? undefined : buffer.subarray(offset);
  }
}
