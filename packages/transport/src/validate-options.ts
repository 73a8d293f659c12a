import { DELIVERY_POLICIES } from './delivery-policy.js';
import type { DeliveryPolicy, IdleStrategy } from './delivery-policy.js';
import { describeValue } from './describe-value.js';
import { MAX_HISTORY } from './history.js';
import type { PublicationOptions } from './publication.js';
import { ErrorCode, SeamlessError } from './seamless-error.js';
import type { SubscriptionOptions } from './subscription.js';
import { validatePublisherId } from './validate-publisher-id.js';
import { validateTopic } from './validate-topic.js';

// One rule for every package: a wrong argument or option value is ERR_INVALID_ARGUMENT, with
// `${where}: ${option} ${problem}, got ${value}`. ERR_CONFIG_INVALID is kept for configuration
// given as data or read from the system: a static table or its file, a registry directory.

/**
 * The error for a bad argument or option: `ERR_INVALID_ARGUMENT`, saying where, which option,
 * what is wrong and what was given, with the option in `details`.
 *
 * @example
 * ```ts
 * throw invalidArgument('subscriber()', 'idle', "must be 'park', 'spin' or { spinMicros: number >= 0 }", 'doze');
 * // ERR_INVALID_ARGUMENT subscriber(): idle must be 'park', 'spin' or { spinMicros: number >= 0 }, got "doze"
 * ```
 */
export function invalidArgument(where: string, option: string, problem: string, value: unknown): SeamlessError {
  return new SeamlessError(ErrorCode.InvalidArgument, `${where}: ${option} ${problem}, got ${describeValue(value)}`, {
    details: { option },
  });
}

/**
 * Checks an options argument: `undefined` becomes `{}`, anything but a plain object is refused,
 * and so is a name not in `known` (when given): a misspelt option is a mistake, not a default.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 */
export function validateOptionsObject(value: unknown, where: string, known?: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(where, 'options', 'must be an object', value);
  }
  const unknownName = known === undefined ? undefined : Object.keys(value).find((name) => !known.includes(name));
  if (known !== undefined && unknownName !== undefined) {
    throw new SeamlessError(
      ErrorCode.InvalidArgument,
      `${where}: unknown option ${JSON.stringify(unknownName)}; known are ${known.join(', ')}`,
      {
        details: { option: unknownName },
      },
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Checks a delivery policy (`'reliable'` or `'latest'`).
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 */
export function validateDeliveryPolicy(value: unknown, where: string, option = 'policy'): DeliveryPolicy {
  if (DELIVERY_POLICIES.includes(value as DeliveryPolicy)) return value as DeliveryPolicy;
  throw invalidArgument(where, option, `must be one of ${DELIVERY_POLICIES.join(', ')}`, value);
}

/**
 * Checks an idle strategy: `'park'`, `'spin'` or `{ spinMicros }` with a finite number >= 0.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 */
export function validateIdleStrategy(value: unknown, where: string, option = 'idle'): IdleStrategy {
  if (value === 'park' || value === 'spin') return value;
  const spinMicros = (value as { spinMicros?: unknown } | null)?.spinMicros;
  if (typeof value === 'object' && typeof spinMicros === 'number' && Number.isFinite(spinMicros) && spinMicros >= 0) {
    return { spinMicros };
  }
  throw invalidArgument(where, option, "must be 'park', 'spin' or { spinMicros: number >= 0 }", value);
}

/** Whether untrusted `value` is a safe integer within `[minimum, maximum]`. */
export function isIntegerIn(value: unknown, minimum: number, maximum: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum && value <= maximum;
}

/**
 * Checks an integer option within `[minimum, maximum]`.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const leaseMs = validateInteger(options.leaseMs ?? 5000, 'HostResolver', 'leaseMs', 100, 86_400_000);
 * ```
 */
export function validateInteger(value: unknown, where: string, option: string, minimum: number, maximum: number): number {
  if (isIntegerIn(value, minimum, maximum)) return value;
  throw invalidArgument(where, option, `must be an integer from ${minimum} to ${maximum}`, value);
}

/**
 * Checks a message size in bytes: a safe integer >= 0.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 */
export function validateMessageSize(value: unknown, where: string, option = 'maxMessageSize'): number {
  if (isIntegerIn(value, 0, Number.MAX_SAFE_INTEGER)) return value;
  throw invalidArgument(where, option, 'must be a non-negative integer', value);
}

/**
 * Checks a publication's `history`: how many of its latest messages it retains for
 * subscribers that attach later, an integer from 0 (none, the default) to {@link MAX_HISTORY}.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const history = validateHistory(options.history ?? 0, 'publisher()'); // 10
 * ```
 */
export function validateHistory(value: unknown, where: string, option = 'history'): number {
  if (isIntegerIn(value, 0, MAX_HISTORY)) return value;
  throw invalidArgument(where, option, `must be an integer from 0 to ${MAX_HISTORY}`, value);
}

/**
 * Checks what a facade hands a transport's `openPublication`: the topic (`ERR_TOPIC_INVALID`),
 * the publisher id, the policy and the size (`ERR_INVALID_ARGUMENT`). Returns a fresh copy.
 *
 * @example
 * ```ts
 * const { topic, publisherId, policy, maxMessageSize } = validatePublicationOptions(options, 'openPublication');
 * ```
 */
export function validatePublicationOptions(value: unknown, where: string): PublicationOptions {
  const options = validateOptionsObject(value, where, ['topic', 'publisherId', 'policy', 'maxMessageSize', 'history']);
  return {
    topic: validateTopic(options['topic']),
    publisherId: validatePublisherId(options['publisherId'], `${where}: publisherId`),
    policy: validateDeliveryPolicy(options['policy'], where),
    maxMessageSize: validateMessageSize(options['maxMessageSize'], where),
    history: validateHistory(options['history'] ?? 0, where),
  };
}

/**
 * Checks subscription options (each one optional): `idle`, `copy`, `maxMessageSize`,
 * `history`. Returns a fresh copy holding only those given.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT`.
 */
export function validateSubscriptionOptions(value: unknown, where: string): SubscriptionOptions {
  const options = validateOptionsObject(value, where, ['idle', 'copy', 'maxMessageSize', 'history']);
  const { idle, copy, maxMessageSize, history } = options;
  if (copy !== undefined && typeof copy !== 'boolean') throw invalidArgument(where, 'copy', 'must be a boolean', copy);
  if (history !== undefined && typeof history !== 'boolean') throw invalidArgument(where, 'history', 'must be a boolean', history);
  return {
    ...(history === undefined ? {} : { history }),
    ...(idle === undefined ? {} : { idle: validateIdleStrategy(idle, where) }),
    ...(copy === undefined ? {} : { copy }),
    ...(maxMessageSize === undefined ? {} : { maxMessageSize: validateMessageSize(maxMessageSize, where) }),
  };
}
