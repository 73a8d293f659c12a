/**
 * A short, safe description of an untrusted value for an error message: strings quoted and
 * cut at 40 characters, numbers and booleans as written, anything else by its kind.
 *
 * @example
 * ```ts
 * describeValue('best-effort'); // '"best-effort"'
 * describeValue([1, 2]); // 'an array'
 * describeValue(new Map()); // 'a Map'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const name = Object.prototype.toString.call(value).slice(8, -1);
    return name === 'Object' ? 'an object' : `a ${name}`;
  }
  return typeof value;
}
