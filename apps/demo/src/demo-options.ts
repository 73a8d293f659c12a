import { ErrorCode, SeamlessError } from '@seamless/seamless';
import { isValidSymbol } from './codec.js';
import { flagValue, numberValue, parseCommandLine, stringValue, toArguments } from './command-line.js';
import type { OptionSpecs, OptionValues } from './command-line.js';
import { DEFAULT_SYMBOLS } from './market-simulator.js';
import { tickTopic } from './topics.js';
import { DEFAULT_STRATEGY } from './trading-engine.js';
import type { StrategySettings } from './trading-engine.js';

/** Environment variables every demo process reads (a command-line option wins). */
export const ENVIRONMENT = {
  /** `1`: find publishers on this host only (no UDP multicast on the LAN), like `--local-only`. */
  localOnly: 'SEAMLESS_DEMO_LOCAL',
  /** The registry directory of the host resolver, like `--registry`. */
  registry: 'SEAMLESS_DEMO_REGISTRY',
} as const;

/** The default port of the dashboard. */
export const DEFAULT_PORT = 8080;
/** The default total tick rate of the feed, per second. */
export const DEFAULT_RATE = 4000;
/** The most symbols one feed quotes. */
export const MAX_SYMBOLS = 64;

export const COMMON_OPTIONS: OptionSpecs = {
  'local-only': {
    type: 'boolean',
    description: `find peers on this host only: no UDP multicast on the LAN (env ${ENVIRONMENT.localOnly}=1)`,
  },
  registry: {
    type: 'string',
    placeholder: '<dir>',
    description: `registry directory of the host resolver, to keep a set of processes apart (env ${ENVIRONMENT.registry})`,
  },
  help: { type: 'boolean', description: 'print this help and exit' },
};

export const FEED_OPTIONS: OptionSpecs = {
  symbols: {
    type: 'string',
    placeholder: '<A,B,...>',
    description: `symbols to quote, comma-separated (default ${DEFAULT_SYMBOLS.join(',')})`,
  },
  rate: { type: 'string', placeholder: '<n>', description: `ticks per second over all symbols (default ${DEFAULT_RATE})` },
  seed: { type: 'string', placeholder: '<n>', description: 'seed of the random walk, to replay a market (default: random)' },
  ticks: {
    type: 'string',
    placeholder: '<n>',
    description: "close the market after this many ticks; each symbol's last one stays published for late joiners (default: never)",
  },
  ...COMMON_OPTIONS,
};

export const ALGO_OPTIONS: OptionSpecs = {
  'fast-ms': { type: 'string', placeholder: '<ms>', description: `fast moving average time constant (default ${DEFAULT_STRATEGY.fastMs})` },
  'slow-ms': { type: 'string', placeholder: '<ms>', description: `slow moving average time constant (default ${DEFAULT_STRATEGY.slowMs})` },
  'band-bps': {
    type: 'string',
    placeholder: '<bp>',
    description: `gap between the averages that makes a cross, basis points (default ${DEFAULT_STRATEGY.bandBps})`,
  },
  'warmup-ms': {
    type: 'string',
    placeholder: '<ms>',
    description: `no trading before this much price history (default ${DEFAULT_STRATEGY.warmupMs})`,
  },
  'cooldown-ms': {
    type: 'string',
    placeholder: '<ms>',
    description: `least time between orders in one symbol (default ${DEFAULT_STRATEGY.cooldownMs})`,
  },
  notional: {
    type: 'string',
    placeholder: '<$>',
    description: `position size aimed for, in dollars (default ${DEFAULT_STRATEGY.targetNotional})`,
  },
  'lot-size': { type: 'string', placeholder: '<n>', description: `shares per lot (default ${DEFAULT_STRATEGY.lotSize})` },
  'max-position': {
    type: 'string',
    placeholder: '<n>',
    description: `position limit per symbol, shares (default ${DEFAULT_STRATEGY.maxPosition})`,
  },
  'max-gross': {
    type: 'string',
    placeholder: '<$>',
    description: `gross exposure limit over all symbols, dollars (default ${DEFAULT_STRATEGY.maxGrossNotional})`,
  },
  idle: { type: 'string', placeholder: '<park|spin>', description: 'how the tick subscriber waits: park (default) or spin (burns a core)' },
  ...COMMON_OPTIONS,
};

export const DASHBOARD_OPTIONS: OptionSpecs = {
  port: { type: 'string', placeholder: '<n>', description: `HTTP port on 127.0.0.1, 0 for any free one (default ${DEFAULT_PORT})` },
  ...COMMON_OPTIONS,
};

export const LAUNCH_OPTIONS: OptionSpecs = {
  ...FEED_OPTIONS,
  ...ALGO_OPTIONS,
  ...DASHBOARD_OPTIONS,
  'algo-netns': {
    type: 'boolean',
    description: 'run the algorithm in a network namespace of its own (root only), so it talks TCP while the dashboard uses shared memory',
  },
  'netns-name': { type: 'string', placeholder: '<name>', description: 'name of that namespace (default seamless-demo-<random>)' },
};

/** What every demo process is told. */
export interface CommonOptions {
  readonly help: boolean;
  readonly localOnly: boolean;
  readonly registry: string | undefined;
}

export interface FeedOptions extends CommonOptions {
  readonly symbols: readonly string[];
  readonly rate: number;
  readonly seed: number;
  /** Ticks to send before the market closes (`Infinity`: it never does). */
  readonly ticks: number;
}

export interface AlgoOptions extends CommonOptions {
  readonly strategy: StrategySettings;
  readonly idle: 'park' | 'spin';
}

export interface DashboardOptions extends CommonOptions {
  readonly port: number;
}

export interface LaunchOptions extends CommonOptions {
  /** Every option given, to hand each process its share. */
  readonly values: OptionValues;
  readonly algoNetns: boolean;
  readonly netnsName: string | undefined;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses the feed's command line.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the bad option.
 * @example
 * ```ts
 * const options = parseFeedOptions(process.argv.slice(2), process.env);
 * ```
 */
export function parseFeedOptions(argv: readonly string[], environment: Environment): FeedOptions {
  const values = parseCommandLine(FEED_OPTIONS, argv);
  const symbols = (stringValue(values, 'symbols')?.split(',') ?? [...DEFAULT_SYMBOLS]).map((symbol) => symbol.trim().toUpperCase());
  if (symbols.length > MAX_SYMBOLS) invalid(`--symbols takes at most ${MAX_SYMBOLS} symbols`);
  for (const symbol of symbols) {
    if (!isValidSymbol(symbol)) invalid(`--symbols: ${JSON.stringify(symbol)} is not 1-16 characters of A-Z 0-9 . _ -`);
    try {
      tickTopic(symbol);
    } catch (error) {
      invalid(`--symbols: ${(error as Error).message}`);
    }
  }
  if (new Set(symbols).size !== symbols.length) invalid('--symbols lists a symbol twice');
  return {
    ...common(values, environment),
    symbols,
    rate: numberValue(values, 'rate', DEFAULT_RATE, { min: 1, max: 200_000 }),
    seed: numberValue(values, 'seed', Math.floor(Math.random() * 0x7fffffff), { min: 0, max: 0xffffffff, integer: true }),
    ticks: numberValue(values, 'ticks', Number.POSITIVE_INFINITY, { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }),
  };
}

/**
 * Parses the algorithm's command line.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the bad option.
 * @example
 * ```ts
 * const { strategy } = parseAlgoOptions(['--fast-ms', '500', '--slow-ms', '2000'], {});
 * ```
 */
export function parseAlgoOptions(argv: readonly string[], environment: Environment): AlgoOptions {
  const values = parseCommandLine(ALGO_OPTIONS, argv);
  const milliseconds = { min: 0, max: 3_600_000 };
  const money = { min: 0, max: 1e12 };
  const strategy: StrategySettings = {
    fastMs: numberValue(values, 'fast-ms', DEFAULT_STRATEGY.fastMs, { min: 1, max: 3_600_000 }),
    slowMs: numberValue(values, 'slow-ms', DEFAULT_STRATEGY.slowMs, { min: 1, max: 3_600_000 }),
    bandBps: numberValue(values, 'band-bps', DEFAULT_STRATEGY.bandBps, { min: 0, max: 10_000 }),
    warmupMs: numberValue(values, 'warmup-ms', DEFAULT_STRATEGY.warmupMs, milliseconds),
    cooldownMs: numberValue(values, 'cooldown-ms', DEFAULT_STRATEGY.cooldownMs, milliseconds),
    targetNotional: numberValue(values, 'notional', DEFAULT_STRATEGY.targetNotional, money),
    lotSize: numberValue(values, 'lot-size', DEFAULT_STRATEGY.lotSize, { min: 1, max: 1_000_000, integer: true }),
    maxPosition: numberValue(values, 'max-position', DEFAULT_STRATEGY.maxPosition, { min: 0, max: 1e9, integer: true }),
    maxGrossNotional: numberValue(values, 'max-gross', DEFAULT_STRATEGY.maxGrossNotional, money),
  };
  if (strategy.slowMs <= strategy.fastMs) invalid(`--slow-ms (${strategy.slowMs}) must be longer than --fast-ms (${strategy.fastMs})`);
  const idle = stringValue(values, 'idle') ?? 'park';
  if (idle !== 'park' && idle !== 'spin') invalid(`--idle must be park or spin, got ${JSON.stringify(idle)}`);
  return { ...common(values, environment), strategy, idle };
}

/**
 * Parses the dashboard's command line.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the bad option.
 * @example
 * ```ts
 * parseDashboardOptions(['--port', '0'], {}).port; // 0
 * ```
 */
export function parseDashboardOptions(argv: readonly string[], environment: Environment): DashboardOptions {
  const values = parseCommandLine(DASHBOARD_OPTIONS, argv);
  return { ...common(values, environment), port: numberValue(values, 'port', DEFAULT_PORT, { min: 0, max: 65_535, integer: true }) };
}

/**
 * Parses the launcher's command line: its own options and every process's. Each process's
 * options are checked here too, so a typo fails before anything starts.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the bad option.
 * @example
 * ```ts
 * const options = parseLaunchOptions(['--port', '8080', '--rate', '2000'], process.env);
 * ```
 */
export function parseLaunchOptions(argv: readonly string[], environment: Environment): LaunchOptions {
  const values = parseCommandLine(LAUNCH_OPTIONS, argv);
  const options = {
    ...common(values, environment),
    values,
    algoNetns: flagValue(values, 'algo-netns'),
    netnsName: stringValue(values, 'netns-name'),
  };
  if (options.help) return options;
  parseFeedOptions(toArguments(values, FEED_OPTIONS), environment);
  parseAlgoOptions(toArguments(values, ALGO_OPTIONS), environment);
  parseDashboardOptions(toArguments(values, DASHBOARD_OPTIONS), environment);
  if (options.netnsName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(options.netnsName)) {
    invalid('--netns-name must be 1-32 characters of letters, digits, _ . -');
  }
  if (options.netnsName !== undefined && !options.algoNetns) invalid('--netns-name needs --algo-netns');
  return options;
}

function common(values: OptionValues, environment: Environment): CommonOptions {
  const registry = stringValue(values, 'registry') ?? nonEmpty(environment[ENVIRONMENT.registry]);
  return {
    help: flagValue(values, 'help'),
    localOnly: flagValue(values, 'local-only') || environment[ENVIRONMENT.localOnly] === '1',
    registry,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}
