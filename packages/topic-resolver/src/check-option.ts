import { ErrorCode, SeamlessError } from '@seamless/transport';

/**
 * Reads an optional integer option: `fallback` when undefined, otherwise it must be an integer
 * within `[minimum, maximum]` or a SeamlessError `ERR_INVALID_ARGUMENT` names the option.
 */
export function integerOption(owner: string, name: string, value: unknown, fallback: number, minimum: number, maximum: number): number {
  if (value === undefined) return fallback;
  if (!isIntegerIn(value, minimum, maximum)) {
    throw new SeamlessError(
      ErrorCode.InvalidArgument,
      `${owner}: option ${name} must be an integer from ${minimum} to ${maximum}, got ${describe(value)}`,
      { details: { option: name, value } },
    );
  }
  return value;
}

/** Throws a SeamlessError `ERR_INVALID_ARGUMENT` about an option of `owner`. */
export function invalidOption(owner: string, name: string, problem: string, value: unknown): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, `${owner}: option ${name} ${problem}`, {
    details: { option: name, value },
  });
}

/** A short, safe description of an untrusted value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Whether untrusted `value` is a safe integer within `[minimum, maximum]`. */
export function isIntegerIn(value: unknown, minimum: number, maximum: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum && value <= maximum;
}
