import { validateInteger } from '@seamless/transport';

/**
 * Reads an optional integer option: `fallback` when undefined, otherwise it must be an integer
 * within `[minimum, maximum]` or a SeamlessError `ERR_INVALID_ARGUMENT` names the option
 * (`validateInteger` of `@seamless/transport`, the one home of that rule).
 */
export function integerOption(owner: string, name: string, value: unknown, fallback: number, minimum: number, maximum: number): number {
  return value === undefined ? fallback : validateInteger(value, owner, name, minimum, maximum);
}
