import { describe, expect, it } from 'vitest';
import { numberValue, parseCommandLine, toArguments, usage } from './command-line.js';
import {
  ALGO_OPTIONS,
  DASHBOARD_OPTIONS,
  DEFAULT_PORT,
  DEFAULT_RATE,
  FEED_OPTIONS,
  LAUNCH_OPTIONS,
  parseAlgoOptions,
  parseDashboardOptions,
  parseFeedOptions,
  parseLaunchOptions,
} from './demo-options.js';
import { DEFAULT_SYMBOLS } from './market-simulator.js';
import { DEFAULT_STRATEGY } from './trading-engine.js';

const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error;

describe('command line', () => {
  it('parses strictly', () => {
    expect(parseCommandLine(FEED_OPTIONS, ['--rate', '10', '--local-only'])).toEqual(
      new Map<string, string | boolean>([
        ['rate', '10'],
        ['local-only', true],
      ]),
    );
    expect(() => parseCommandLine(FEED_OPTIONS, ['--bogus'])).toThrow(invalid);
    expect(() => parseCommandLine(FEED_OPTIONS, ['positional'])).toThrow(invalid);
    expect(() => parseCommandLine(FEED_OPTIONS, ['--rate'])).toThrow(invalid);
  });

  it('checks numbers against their range', () => {
    const values = new Map([['n', '12.5']]);
    expect(numberValue(values, 'n', 1, { min: 0, max: 20 })).toBe(12.5);
    expect(numberValue(values, 'missing', 7, { min: 0, max: 20 })).toBe(7);
    expect(() => numberValue(values, 'n', 1, { min: 0, max: 20, integer: true })).toThrow(
      /--n must be an integer from 0 to 20, got "12.5"/,
    );
    expect(() => numberValue(new Map([['n', '']]), 'n', 1, { min: 0, max: 20 })).toThrow(invalid);
    expect(() => numberValue(new Map([['n', 'abc']]), 'n', 1, { min: 0, max: 20 })).toThrow(invalid);
  });

  it('hands each process only its own options', () => {
    const values = parseCommandLine(LAUNCH_OPTIONS, [
      '--port',
      '9000',
      '--rate',
      '500',
      '--fast-ms',
      '100',
      '--local-only',
      '--algo-netns',
    ]);
    expect(toArguments(values, FEED_OPTIONS)).toEqual(['--rate', '500', '--local-only']);
    expect(toArguments(values, ALGO_OPTIONS)).toEqual(['--fast-ms', '100', '--local-only']);
    expect(toArguments(values, DASHBOARD_OPTIONS)).toEqual(['--port', '9000', '--local-only']);
  });

  it('documents every option in the usage text', () => {
    const text = usage('demo', 'What it does.', LAUNCH_OPTIONS);
    for (const name of Object.keys(LAUNCH_OPTIONS)) expect(text).toContain(`--${name}`);
  });
});

describe('demo options', () => {
  it('has defaults: eight symbols at a few thousand ticks a second, port 8080, multicast on', () => {
    const feed = parseFeedOptions([], {});
    expect(feed).toMatchObject({ symbols: DEFAULT_SYMBOLS, rate: DEFAULT_RATE, localOnly: false, registry: undefined, help: false });
    expect(feed.rate).toBeGreaterThanOrEqual(2000);
    expect(parseDashboardOptions([], {}).port).toBe(DEFAULT_PORT);
    expect(parseAlgoOptions([], {})).toMatchObject({ strategy: DEFAULT_STRATEGY, idle: 'park' });
  });

  it('reads --local-only and --registry, or their environment variables', () => {
    expect(parseFeedOptions([], { SEAMLESS_DEMO_LOCAL: '1', SEAMLESS_DEMO_REGISTRY: '/tmp/r' })).toMatchObject({
      localOnly: true,
      registry: '/tmp/r',
    });
    expect(parseFeedOptions(['--registry', '/x'], { SEAMLESS_DEMO_REGISTRY: '/tmp/r' }).registry).toBe('/x');
    expect(parseFeedOptions([], { SEAMLESS_DEMO_LOCAL: '0', SEAMLESS_DEMO_REGISTRY: '' })).toMatchObject({
      localOnly: false,
      registry: undefined,
    });
  });

  it('checks the feed options', () => {
    expect(parseFeedOptions(['--symbols', 'aapl, brk.b', '--rate', '250', '--seed', '9', '--ticks', '1000'], {})).toMatchObject({
      symbols: ['AAPL', 'BRK.B'],
      rate: 250,
      seed: 9,
      ticks: 1000,
    });
    expect(parseFeedOptions([], {}).ticks).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseFeedOptions(['--ticks', '0'], {})).toThrow(invalid);
    expect(() => parseFeedOptions(['--ticks', '2.5'], {})).toThrow(invalid);
    expect(() => parseFeedOptions(['--symbols', 'A,A'], {})).toThrow(/twice/);
    expect(() => parseFeedOptions(['--symbols', 'A,,B'], {})).toThrow(invalid);
    expect(() => parseFeedOptions(['--symbols', 'TOO-LONG-A-SYMBOL-NAME'], {})).toThrow(invalid);
    // A symbol is part of its topic md.<SYMBOL>: no empty level.
    expect(() => parseFeedOptions(['--symbols', 'BRK..B'], {})).toThrow(/--symbols: symbol "BRK..B" cannot be part of a topic/);
    expect(() => parseFeedOptions(['--symbols', 'BRK.'], {})).toThrow(invalid);
    expect(() => parseFeedOptions(['--rate', '0'], {})).toThrow(invalid);
    expect(() => parseFeedOptions(['--symbols', Array.from({ length: 65 }, (_, index) => `S${index}`).join(',')], {})).toThrow(
      /at most 64/,
    );
  });

  it('checks the algorithm options', () => {
    expect(parseAlgoOptions(['--fast-ms', '100', '--slow-ms', '400', '--max-gross', '5000', '--idle', 'spin'], {})).toMatchObject({
      strategy: { ...DEFAULT_STRATEGY, fastMs: 100, slowMs: 400, maxGrossNotional: 5000 },
      idle: 'spin',
    });
    expect(() => parseAlgoOptions(['--fast-ms', '500', '--slow-ms', '500'], {})).toThrow(/longer/);
    expect(() => parseAlgoOptions(['--idle', 'doze'], {})).toThrow(invalid);
    expect(() => parseAlgoOptions(['--lot-size', '0'], {})).toThrow(invalid);
  });

  it('checks every process option at the launcher, before anything starts', () => {
    const launch = parseLaunchOptions(['--port', '0', '--algo-netns', '--netns-name', 'seamless-test-1'], {});
    expect(launch).toMatchObject({ algoNetns: true, netnsName: 'seamless-test-1' });
    expect(() => parseLaunchOptions(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseLaunchOptions(['--slow-ms', '1'], {})).toThrow(/--slow-ms/);
    expect(() => parseLaunchOptions(['--netns-name', 'x'], {})).toThrow(/needs --algo-netns/);
    expect(() => parseLaunchOptions(['--algo-netns', '--netns-name', 'bad name!'], {})).toThrow(invalid);
    expect(parseLaunchOptions(['--help', '--port', '70000'], {}).help).toBe(true);
  });
});
