import { parseArgs } from 'node:util';
import { ErrorCode, SeamlessError } from '@seamless/seamless';

/** One command-line option: `--name value` (string) or `--name` (boolean). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** How the value is shown in the usage text, e.g. `<n>`. */
  readonly placeholder?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The options given on a command line, by name. */
export type OptionValues = ReadonlyMap<string, string | boolean>;

/**
 * Parses `argv` strictly against `specs`: an unknown option, a missing value or a positional
 * argument is an error.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` with the reason.
 * @example
 * ```ts
 * const values = parseCommandLine({ rate: { type: 'string', description: 'ticks per second' } }, ['--rate', '500']);
 * values.get('rate'); // '500'
 * ```
 */
export function parseCommandLine(specs: OptionSpecs, argv: readonly string[]): OptionValues {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type };
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    const result = new Map<string, string | boolean>();
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string' || typeof value === 'boolean') result.set(name, value);
    }
    return result;
  } catch (error) {
    throw new SeamlessError(ErrorCode.InvalidArgument, (error as Error).message);
  }
}

/**
 * The usage text: the command, what it does, and every option.
 *
 * @example
 * ```ts
 * console.log(usage('node dist/feed.js', 'Publishes ticks.', FEED_OPTIONS));
 * ```
 */
export function usage(command: string, summary: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => [
    `--${name}${spec.placeholder === undefined ? '' : ` ${spec.placeholder}`}`,
    spec.description,
  ]);
  const width = Math.max(...rows.map(([left]) => (left ?? '').length));
  return [
    `Usage: ${command} [options]`,
    '',
    summary,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${(left ?? '').padEnd(width)}  ${right ?? ''}`),
  ].join('\n');
}

/**
 * A boolean option (false when absent).
 *
 * @example
 * ```ts
 * flagValue(parseCommandLine(FEED_OPTIONS, ['--local-only']), 'local-only'); // true
 * ```
 */
export function flagValue(values: OptionValues, name: string): boolean {
  return values.get(name) === true;
}

/**
 * A string option, or `undefined` when absent.
 *
 * @example
 * ```ts
 * stringValue(parseCommandLine(FEED_OPTIONS, ['--symbols', 'AAPL']), 'symbols'); // 'AAPL'
 * ```
 */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values.get(name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * A number option within [min, max] (an integer when `integer`), or `fallback` when absent.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` for anything else.
 * @example
 * ```ts
 * numberValue(values, 'rate', 4000, { min: 1, max: 200_000 }); // 4000 when --rate is absent
 * ```
 */
export function numberValue(
  values: OptionValues,
  name: string,
  fallback: number,
  range: { readonly min: number; readonly max: number; readonly integer?: boolean },
): number {
  const text = stringValue(values, name);
  if (text === undefined) return fallback;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const integer = range.integer ?? false;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < range.min || value > range.max) {
    throw new SeamlessError(
      ErrorCode.InvalidArgument,
      `--${name} must be ${integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * Turns parsed values back into arguments, keeping only the options `specs` knows (how the
 * launcher hands each process its share of the command line).
 *
 * @example
 * ```ts
 * toArguments(new Map([['rate', '500'], ['port', '8080']]), FEED_OPTIONS); // ['--rate', '500']
 * ```
 */
export function toArguments(values: OptionValues, specs: OptionSpecs): string[] {
  const result: string[] = [];
  for (const [name, value] of values) {
    if (!Object.hasOwn(specs, name)) continue;
    if (value === true) result.push(`--${name}`);
    else if (typeof value === 'string') result.push(`--${name}`, value);
  }
  return result;
}
