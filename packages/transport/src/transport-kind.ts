/**
 * The name a transport gives itself, seen on every message (`message.transport`) and route:
 * `'shm'` for `@seamless/shm-transport`, `'tcp'` for `@seamless/socket-transport`, and whatever
 * a third transport chooses. It keys the transport's entry in `Advertisement.endpoints`.
 * 1 to {@link MAX_TRANSPORT_KIND_LENGTH} characters: a lowercase letter, then lowercase letters,
 * digits or `-`.
 *
 * @example
 * ```ts
 * const kind: TransportKind = message.transport; // 'shm', 'tcp', ...
 * ```
 */
export type TransportKind = string;

/** The longest {@link TransportKind}. */
export const MAX_TRANSPORT_KIND_LENGTH = 32;

const kindPattern = /^[a-z][a-z0-9-]*$/;

/**
 * Why `value` is not a valid {@link TransportKind}, or `undefined` when it is.
 *
 * @example
 * ```ts
 * transportKindProblem('shm'); // undefined
 * transportKindProblem('Shared Memory'); // 'must be 1 to 32 characters: ...'
 * ```
 */
export function transportKindProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length <= MAX_TRANSPORT_KIND_LENGTH && kindPattern.test(value)) return undefined;
  return `must be 1 to ${MAX_TRANSPORT_KIND_LENGTH} characters: a lowercase letter, then lowercase letters, digits or "-"`;
}
