import { SeamlessError } from '@seamless/seamless';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAlgoStats, encodeAlgoStats } from './algo-stats.js';
import type { AlgoStats } from './algo-stats.js';
import { DEFAULT_STRATEGY } from './trading-engine.js';

const latency = { count: 10, p50: 1000, p90: 2000, p99: 3000, p999: 4000, max: 5000 };
const stats: AlgoStats = {
  kind: 'algo-stats',
  version: 1,
  pid: 1234,
  hostname: 'box',
  netNamespace: 'net:[4026531840]',
  startedAt: 1_750_000_000_000,
  sentAt: 5_000_000,
  clockDomain: 99,
  ticks: {
    total: 100,
    rate: 4000,
    active: true,
    lost: 1,
    malformed: 0,
    transports: ['shm'],
    publishers: 8,
    topics: 8,
    fromHistory: 8,
    latency,
  },
  decision: null,
  orders: { accepted: 3, rejected: 1, fills: 3 },
  pnl: { realized: 10.5, unrealized: -2.25, total: 8.25, grossNotional: 20_000 },
  positions: [{ symbol: 'AAPL', position: 100, averagePrice: 189, mark: 190, realized: 10.5, unrealized: 100 }],
  strategy: DEFAULT_STRATEGY,
};

function reason(data: Uint8Array): string {
  try {
    decodeAlgoStats(data);
  } catch (error) {
    expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected ERR_PROTOCOL');
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('algo stats', () => {
  it('round-trips', () => {
    expect(decodeAlgoStats(encodeAlgoStats(stats))).toEqual(stats);
  });

  it('refuses what is not well-formed statistics, naming the field', () => {
    expect(reason(new Uint8Array([0xff, 0xfe]))).toMatch(/UTF-8 JSON/);
    expect(reason(json([1, 2]))).toMatch(/stats is not an object/);
    expect(reason(json({ ...stats, kind: 'other' }))).toMatch(/kind/);
    expect(reason(json({ ...stats, version: 2 }))).toMatch(/version/);
    expect(reason(json({ ...stats, pid: -1 }))).toMatch(/pid/);
    expect(reason(json({ ...stats, ticks: { ...stats.ticks, transports: ['udp'] } }))).toMatch(/transports/);
    expect(reason(json({ ...stats, ticks: { ...stats.ticks, active: 'yes' } }))).toMatch(/ticks.active/);
    expect(reason(json({ ...stats, ticks: { ...stats.ticks, fromHistory: -1 } }))).toMatch(/ticks.fromHistory/);
    expect(reason(json({ ...stats, decision: { ...latency, p99: 'slow' } }))).toMatch(/decision.p99/);
    expect(reason(json({ ...stats, pnl: { ...stats.pnl, total: null } }))).toMatch(/pnl.total/);
    expect(reason(json({ ...stats, positions: [{ symbol: 1 }] }))).toMatch(/positions.symbol/);
    expect(reason(json({ ...stats, hostname: 'x'.repeat(300) }))).toMatch(/hostname/);
    expect(reason(new Uint8Array(70 * 1024))).toMatch(/64 KiB/);
  });

  it('never throws anything but ERR_PROTOCOL on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.jsonValue().map((value) => json(value)),
        ),
        (data) => {
          try {
            decodeAlgoStats(data);
          } catch (error) {
            return SeamlessError.isInstance(error, 'ERR_PROTOCOL');
          }
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
