// Every message carries its phase in its first byte, so both ends switch from warm-up to
// measurement at the same message and the receiver knows which message is the last.

/** The first byte of every message. */
export const Phase = { warmUp: 0, measured: 1, last: 2 } as const;

/** The three payloads of one message size; never modified once made (sends may keep them). */
export interface Payloads {
  readonly warmUp: Uint8Array;
  readonly measured: Uint8Array;
  readonly last: Uint8Array;
}

/** Makes the payloads of `size` bytes (at least 1): byte 0 the phase, then a byte pattern. */
export function makePayloads(size: number): Payloads {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`a message needs at least 1 byte, got ${size}`);
  const make = (phase: number): Uint8Array => {
    const data = new Uint8Array(size);
    for (let index = 1; index < size; index++) data[index] = index & 0xff;
    data[0] = phase;
    return data;
  };
  return { warmUp: make(Phase.warmUp), measured: make(Phase.measured), last: make(Phase.last) };
}
