import { describe, expect, it } from 'vitest';
import { FULL, QUICK, UsageError, parseOptions } from './options.js';

const known = {
  caseNames: ['seamless-shm-spin', 'seamless-tcp', 'net-tcp', 'net-unix', 'zeromq-ipc'],
  baseline: 'net-tcp',
  cpuCount: 2,
};

describe('parseOptions', () => {
  it('runs everything at full length by default, not pinned', () => {
    const options = parseOptions([], known);
    expect(options).toMatchObject({
      quick: false,
      runs: FULL.runs,
      warmupMs: FULL.warmupMs,
      roundTripMs: FULL.roundTripMs,
      cases: known.caseNames,
      measures: ['round-trip', 'throughput', 'fan-out'],
      cpus: undefined,
      publish: false,
    });
  });

  it('shortens everything with --quick, and lets explicit lengths win', () => {
    expect(parseOptions(['--quick'], known)).toMatchObject({ runs: QUICK.runs, roundTripMs: QUICK.roundTripMs });
    expect(parseOptions(['--quick', '--runs', '7', '--duration=250'], known)).toMatchObject({
      runs: 7,
      roundTripMs: 250,
      throughputMs: 250,
      warmupMs: QUICK.warmupMs,
    });
  });

  it('selects cases by name or family, in catalog order, always with the baseline', () => {
    expect(parseOptions(['--cases', 'zeromq-ipc,seamless'], known).cases).toEqual([
      'seamless-shm-spin',
      'seamless-tcp',
      'net-tcp',
      'zeromq-ipc',
    ]);
    expect(parseOptions(['--cases=net-unix'], known).cases).toEqual(['net-tcp', 'net-unix']);
  });

  it('selects measures in their fixed order', () => {
    expect(parseOptions(['--measures', 'fan-out,round-trip'], known).measures).toEqual(['round-trip', 'fan-out']);
  });

  it('reads --cpus', () => {
    expect(parseOptions(['--cpus', '0,1'], known).cpus).toEqual([0, 1]);
    expect(parseOptions(['--cpus', '1'], known).cpus).toEqual([1]);
  });

  it('refuses what it cannot follow, saying why', () => {
    expect(() => parseOptions(['--cpus', '0,2'], known)).toThrow(/CPUs 0 to 1, not 2/);
    expect(() => parseOptions(['--cpus', 'a'], known)).toThrow(UsageError);
    expect(() => parseOptions(['--cases', 'redis'], known)).toThrow(/unknown case "redis"/);
    expect(() => parseOptions(['--measures', 'latency'], known)).toThrow(/unknown measure/);
    expect(() => parseOptions(['--runs', '0'], known)).toThrow(/--runs needs an integer of at least 1/);
    expect(() => parseOptions(['--runs'], known)).toThrow(UsageError);
    expect(() => parseOptions(['--duration', '5'], known)).toThrow(/at least 10/);
    expect(() => parseOptions(['--fast'], known)).toThrow(/unknown option "--fast"/);
  });
});
