import type { MeasureKind } from './results.js';

/** How the benchmark runs, from the command line. */
export interface BenchOptions {
  readonly help: boolean;
  readonly quick: boolean;
  readonly runs: number;
  readonly warmupMs: number;
  readonly roundTripMs: number;
  readonly throughputMs: number;
  /** Case names, in catalog order. The baseline is always included. */
  readonly cases: readonly string[];
  readonly measures: readonly MeasureKind[];
  /** `[sender CPU, receiver CPUs...]`, or undefined: not pinned. */
  readonly cpus: readonly number[] | undefined;
  /** Where results go (default: the app's results/ directory). */
  readonly outDirectory: string | undefined;
  /** Also write results/published.* and the table into the README. */
  readonly publish: boolean;
}

/** A command line the benchmark cannot follow; the message says why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const MEASURES: readonly MeasureKind[] = ['round-trip', 'throughput', 'fan-out'];

/** Run lengths of the full run and of `--quick`. */
export const FULL = { runs: 5, warmupMs: 300, roundTripMs: 1000, throughputMs: 1000 } as const;
export const QUICK = { runs: 3, warmupMs: 30, roundTripMs: 80, throughputMs: 80 } as const;

export const USAGE = `Usage: npm run bench -- [options]        (or: node apps/bench/dist/main.js [options])

Runs every case as separate processes, several times, and writes apps/bench/results/<time>.json,
.md (the tables, with ratios against raw node:net TCP) and .svg (latency by percentile).

  --quick              short runs (${QUICK.runs} runs, ${QUICK.roundTripMs} ms per measurement): under a minute
  --runs N             how many times every measurement is repeated (default ${FULL.runs}); medians are reported
  --duration MS        measured time per measurement and message size (default ${FULL.roundTripMs})
  --warmup MS          warm-up before each measurement (default ${FULL.warmupMs})
  --cases LIST         comma-separated case names, or seamless, net, zeromq for a family
                       (default: all; net-tcp, the baseline, is always run)
  --measures LIST      round-trip,throughput,fan-out (default: all)
  --cpus A,B           pin with taskset: the sending process on CPU A, receivers on B (several
                       receivers spread over the CPUs after A); one CPU pins everything there
  --out DIR            where the results go (default apps/bench/results)
  --publish            also write results/published.* and put the table into apps/bench/README.md
  --help               this text

Cases:`;

function positiveInteger(name: string, text: string | undefined, minimum: number): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < minimum) {
    throw new UsageError(`${name} needs an integer of at least ${minimum}, got ${JSON.stringify(text ?? '')}`);
  }
  return value;
}

function list(text: string | undefined, name: string): string[] {
  if (text === undefined || text.trim() === '') throw new UsageError(`${name} needs a comma-separated list`);
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Reads the command line. `caseNames` are the known cases in report order, `baseline` the one
 * always run, `cpuCount` the vCPUs that `--cpus` may name.
 */
export function parseOptions(
  argv: readonly string[],
  known: { readonly caseNames: readonly string[]; readonly baseline: string; readonly cpuCount: number },
): BenchOptions {
  let quick = false;
  let help = false;
  let publish = false;
  let runs: number | undefined;
  let warmupMs: number | undefined;
  let durationMs: number | undefined;
  let cases: string[] | undefined;
  let measures: MeasureKind[] | undefined;
  let cpus: number[] | undefined;
  let outDirectory: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    const [flag = '', inline] = argument.startsWith('--') && argument.includes('=') ? argument.split(/=(.*)/s, 2) : [argument, undefined];
    const value = (): string | undefined => inline ?? argv[++index];
    switch (flag) {
      case '--help':
      case '-h':
        help = true;
        break;
      case '--quick':
        quick = true;
        break;
      case '--publish':
        publish = true;
        break;
      case '--runs':
        runs = positiveInteger('--runs', value(), 1);
        break;
      case '--warmup':
        warmupMs = positiveInteger('--warmup', value(), 0);
        break;
      case '--duration':
        durationMs = positiveInteger('--duration', value(), 10);
        break;
      case '--out': {
        const directory = value();
        if (directory === undefined || directory === '') throw new UsageError('--out needs a directory');
        outDirectory = directory;
        break;
      }
      case '--cases':
        cases = selectCases(list(value(), '--cases'), known.caseNames);
        break;
      case '--measures':
        measures = list(value(), '--measures').map((measure) => {
          if (!(MEASURES as readonly string[]).includes(measure)) {
            throw new UsageError(`unknown measure "${measure}"; known: ${MEASURES.join(', ')}`);
          }
          return measure as MeasureKind;
        });
        break;
      case '--cpus':
        cpus = list(value(), '--cpus').map((cpu) => {
          const number = positiveInteger('--cpus', cpu, 0);
          if (number >= known.cpuCount) throw new UsageError(`--cpus: this machine has CPUs 0 to ${known.cpuCount - 1}, not ${number}`);
          return number;
        });
        break;
      default:
        throw new UsageError(`unknown option "${argument}" (see --help)`);
    }
  }
  const lengths = quick ? QUICK : FULL;
  const chosen = new Set([...(cases ?? known.caseNames), known.baseline]);
  return {
    help,
    quick,
    publish,
    runs: runs ?? lengths.runs,
    warmupMs: warmupMs ?? lengths.warmupMs,
    roundTripMs: durationMs ?? lengths.roundTripMs,
    throughputMs: durationMs ?? lengths.throughputMs,
    cases: known.caseNames.filter((name) => chosen.has(name)),
    measures: MEASURES.filter((measure) => (measures ?? MEASURES).includes(measure)),
    cpus,
    outDirectory,
  };
}

// A name selects that case; a family name (the part before the first "-") selects the family.
function selectCases(items: readonly string[], caseNames: readonly string[]): string[] {
  const selected: string[] = [];
  for (const item of items) {
    const matches = caseNames.filter((name) => name === item || name.split('-')[0] === item);
    if (matches.length === 0) throw new UsageError(`unknown case "${item}"; known: ${caseNames.join(', ')}`);
    selected.push(...matches);
  }
  return selected;
}
