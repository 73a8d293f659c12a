import { SeamlessError } from '@seamless/seamless';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  decodeFill,
  decodeOrder,
  decodeTick,
  encodeFill,
  encodeOrder,
  encodeTick,
  isValidSymbol,
} from './codec.js';
import type { Fill, Order, Tick } from './codec.js';

const tick: Tick = {
  symbol: 'AAPL',
  bid: 189.25,
  ask: 189.27,
  last: 189.27,
  size: 300,
  timestamp: 1_750_000_000_123.456,
  sentAt: 123_456_789_012,
  clockDomain: 0xdeadbeef,
  source: 42,
};

const order: Order = {
  orderId: 7,
  symbol: 'BRK.B',
  side: 'sell',
  quantity: 110,
  price: 412.5,
  status: 'rejected',
  signal: 'death-cross',
  limit: 'gross',
  timestamp: 1_750_000_000_200.5,
  decidedAt: 200_000_000_000,
  tickSentAt: 199_999_990_000,
  clockDomain: 1,
  source: 0xffffffff,
};

const fill: Fill = {
  orderId: 8,
  symbol: 'NVDA',
  side: 'buy',
  quantity: 160,
  price: 121.86,
  positionAfter: -40,
  realizedAfter: -12.5,
  timestamp: 1_750_000_000_300,
  sentAt: 300_000_000_000,
  clockDomain: 2,
  source: 3,
};

function protocolError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected ERR_PROTOCOL');
}

describe('codec', () => {
  it('round-trips a tick, an order and a fill exactly', () => {
    expect(decodeTick(encodeTick(tick))).toEqual(tick);
    expect(decodeOrder(encodeOrder(order))).toEqual(order);
    expect(decodeFill(encodeFill(fill))).toEqual(fill);
    for (const side of ['buy', 'sell'] as const) {
      for (const status of ['accepted', 'rejected'] as const) {
        for (const limit of ['none', 'position', 'gross'] as const) {
          const variant = { ...order, side, status, limit, signal: side === 'buy' ? 'golden-cross' : 'death-cross' } as const;
          expect(decodeOrder(encodeOrder(variant))).toEqual(variant);
        }
      }
    }
  });

  it('is compact: a fixed header plus the symbol', () => {
    expect(encodeTick(tick).byteLength).toBe(RECORD_HEADER_BYTES + 4);
    expect(RECORD_HEADER_BYTES + 4).toBeLessThan(new TextEncoder().encode(JSON.stringify(tick)).byteLength / 2);
  });

  it('writes into a scratch buffer and returns a view of the bytes written', () => {
    const scratch = new Uint8Array(MAX_RECORD_BYTES);
    const first = encodeTick(tick, scratch);
    expect(first.buffer).toBe(scratch.buffer);
    const second = encodeTick({ ...tick, symbol: 'MSFT', bid: 1, ask: 2, last: 1.5 }, scratch);
    expect(decodeTick(second)).toMatchObject({ symbol: 'MSFT', bid: 1, ask: 2 });
    expect(() => encodeTick(tick, new Uint8Array(10))).toThrow(/shorter/);
  });

  it('decodes a record inside a larger buffer (a view with an offset, as a ring hands it over)', () => {
    const bytes = encodeFill(fill);
    const ring = new Uint8Array(bytes.byteLength + 13);
    ring.set(bytes, 13);
    expect(decodeFill(ring.subarray(13))).toEqual(fill);
  });

  it('refuses to encode what the format cannot carry', () => {
    const cases: [string, () => unknown][] = [
      ['lower-case symbol', () => encodeTick({ ...tick, symbol: 'aapl' })],
      ['long symbol', () => encodeTick({ ...tick, symbol: 'A'.repeat(17) })],
      ['empty symbol', () => encodeTick({ ...tick, symbol: '' })],
      ['negative price', () => encodeTick({ ...tick, bid: -1 })],
      ['NaN price', () => encodeTick({ ...tick, last: Number.NaN })],
      ['crossed quote', () => encodeTick({ ...tick, bid: 10, ask: 9 })],
      ['fractional size', () => encodeTick({ ...tick, size: 1.5 })],
      ['negative time', () => encodeTick({ ...tick, sentAt: -1 })],
      ['unknown side', () => encodeOrder({ ...order, side: 'hold' as 'buy' })],
      ['huge quantity', () => encodeOrder({ ...order, quantity: 2 ** 32 })],
      ['position beyond 32 bits', () => encodeFill({ ...fill, positionAfter: 2 ** 31 })],
      ['infinite P&L', () => encodeFill({ ...fill, realizedAfter: Number.POSITIVE_INFINITY })],
      ['source beyond 32 bits', () => encodeFill({ ...fill, source: -1 })],
    ];
    for (const [name, run] of cases) {
      expect(run, name).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error);
    }
  });

  it('refuses malformed records with ERR_PROTOCOL and a reason', () => {
    const bytes = encodeTick(tick);
    const changed = (offset: number, value: number): Uint8Array => {
      const copy = bytes.slice();
      copy[offset] = value;
      return copy;
    };
    expect(protocolError(() => decodeTick(new Uint8Array(3)))).toMatch(/too short/);
    expect(protocolError(() => decodeTick(changed(0, 0x4f)))).toMatch(/kind/);
    expect(protocolError(() => decodeTick(changed(1, 2)))).toMatch(/version 2/);
    expect(protocolError(() => decodeTick(changed(2, 5)))).toMatch(/bytes, expected/);
    expect(protocolError(() => decodeTick(changed(2, 0)))).toMatch(/symbol length/);
    expect(protocolError(() => decodeTick(changed(RECORD_HEADER_BYTES, 0x61)))).toMatch(/symbol/);
    expect(protocolError(() => decodeTick(changed(3, 1)))).toMatch(/reserved/);
    expect(protocolError(() => decodeTick(bytes.subarray(0, bytes.byteLength - 1)))).toMatch(/expected/);
    // An order is not a tick, and a tick is not an order.
    expect(protocolError(() => decodeTick(encodeOrder(order)))).toMatch(/kind/);
    expect(protocolError(() => decodeOrder(bytes))).toMatch(/kind/);
    const badSide = encodeOrder(order).slice();
    badSide[3] = 9;
    expect(protocolError(() => decodeOrder(badSide))).toMatch(/side code/);
    const nanPrice = encodeFill(fill).slice();
    new DataView(nanPrice.buffer).setFloat64(16, Number.NaN, true);
    expect(protocolError(() => decodeFill(nanPrice))).toMatch(/price/);
    expect(protocolError(() => decodeTick('not bytes' as unknown as Uint8Array))).toMatch(/Uint8Array/);
  });

  it('never throws anything but ERR_PROTOCOL on arbitrary bytes (fuzz)', () => {
    const decoders = [decodeTick, decodeOrder, decodeFill];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 2 }), (bytes, which) => {
        try {
          decoders[which]?.(bytes);
        } catch (error) {
          return SeamlessError.isInstance(error, 'ERR_PROTOCOL');
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes a valid record with any single byte changed to a valid record or ERR_PROTOCOL (fuzz)', () => {
    const records = [
      [encodeTick(tick), decodeTick],
      [encodeOrder(order), decodeOrder],
      [encodeFill(fill), decodeFill],
    ] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (which, position, value) => {
        const [bytes, decode] = records[which] ?? records[0];
        const copy = bytes.slice();
        copy[position % copy.byteLength] = value;
        try {
          const decoded = decode(copy) as { symbol: string };
          return isValidSymbol(decoded.symbol);
        } catch (error) {
          return SeamlessError.isInstance(error, 'ERR_PROTOCOL');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any valid tick (property)', () => {
    const price = fc.double({ min: 0.01, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9][A-Z0-9._-]{0,15}$/),
        price,
        price,
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        (symbol, a, b, size, source) => {
          const value: Tick = { ...tick, symbol, bid: Math.min(a, b), ask: Math.max(a, b), last: a, size, source };
          expect(decodeTick(encodeTick(value))).toEqual(value);
        },
      ),
    );
  });
});
