/**
 * The stable error codes of Seamless. A code never changes meaning once published; new codes
 * may be added in minor versions, so handle unknown codes with a default branch.
 *
 * @example
 * ```ts
 * import { ErrorCode, SeamlessError } from '@seamless/transport';
 *
 * try {
 *   publisher.send(hugeBuffer);
 * } catch (error) {
 *   if (SeamlessError.isInstance(error, ErrorCode.MessageTooLarge)) {
 *     console.error(`split the message: ${error.message}`);
 *   } else {
 *     throw error;
 *   }
 * }
 * ```
 */
export const ErrorCode = {
  /** A topic name breaks the rules of {@link validateTopic}. */
  TopicInvalid: 'ERR_TOPIC_INVALID',
  /** A message is larger than the transport (ring or `maxMessageSize`) can carry; nothing was sent. */
  MessageTooLarge: 'ERR_MESSAGE_TOO_LARGE',
  /** The object was closed; the call cannot be served. */
  Closed: 'ERR_CLOSED',
  /** Shared memory could not be used (no `/dev/shm`, out of space, no addon, permission...). */
  ShmUnavailable: 'ERR_SHM_UNAVAILABLE',
  /** A peer or a shared segment broke the protocol (bad magic, version, length, corrupt data). */
  Protocol: 'ERR_PROTOCOL',
  /** An argument has the wrong type or an out-of-range value. */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** A string that should be an IP address is not one. */
  AddressInvalid: 'ERR_ADDRESS_INVALID',
  /** An advertisement (from a registry file, a datagram or a configuration) failed validation. */
  AdvertisementInvalid: 'ERR_ADVERTISEMENT_INVALID',
  /**
   * Configuration that a component reads or is given as data, not a call's option, is wrong: a
   * static resolver's table or file, an unsafe or unwritable registry directory. The message
   * names the source. A wrong option of a call is `ERR_INVALID_ARGUMENT`.
   */
  ConfigInvalid: 'ERR_CONFIG_INVALID',
  /** A waiting call gave up after its `timeoutMs`. */
  Timeout: 'ERR_TIMEOUT',
  /** A waiting call was cancelled through its `AbortSignal`. */
  Aborted: 'ERR_ABORTED',
  /** A network connection failed or was lost. */
  Connection: 'ERR_CONNECTION',
  /** The publisher behind a subscription went away (process exited, lease expired). */
  PublisherGone: 'ERR_PUBLISHER_GONE',
  /** The operation is not supported on this platform or by this transport. */
  NotSupported: 'ERR_NOT_SUPPORTED',
} as const;

/** One of the values of {@link ErrorCode}, such as `'ERR_TOPIC_INVALID'`. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const marker = Symbol.for('@seamless/transport.SeamlessError');

/** Options accepted by the {@link SeamlessError} constructor. */
export interface SeamlessErrorOptions {
  /** The underlying error, kept as the standard `Error.cause`. */
  readonly cause?: unknown;
  /** Structured facts about the failure (the peer address, the offending value...). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error class thrown (or reported) by every Seamless package. Branch on
 * {@link SeamlessError.code}, never on the message text.
 *
 * Use {@link SeamlessError.isInstance} rather than `instanceof`: it also recognises errors
 * created by another copy of this package (two versions installed side by side).
 *
 * @example
 * ```ts
 * import { SeamlessError } from '@seamless/transport';
 *
 * throw new SeamlessError('ERR_CLOSED', 'publisher "md.AAPL" is closed');
 * ```
 */
export class SeamlessError extends Error {
  /** The stable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Structured facts about the failure, when there are any. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  // A property on every instance (not the prototype) so that copies of the class from another
  // installation of the package are recognised too.
  private readonly [marker] = true;

  constructor(code: ErrorCode, message: string, options: SeamlessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SeamlessError';
    this.code = code;
    this.details = options.details;
  }

  /**
   * Tells whether `value` is a `SeamlessError` from any copy of this package, optionally with
   * the given code.
   *
   * @example
   * ```ts
   * if (SeamlessError.isInstance(error, 'ERR_TIMEOUT')) retry();
   * ```
   */
  static isInstance(value: unknown, code?: ErrorCode): value is SeamlessError {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[marker] !== true) return false;
    return code === undefined || (value as { code?: unknown }).code === code;
  }
}
