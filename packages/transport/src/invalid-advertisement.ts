import { ErrorCode, SeamlessError } from './seamless-error.js';

/**
 * The error for an advertisement whose `field` breaks a rule: `ERR_ADVERTISEMENT_INVALID`, with
 * the field and the problem in `details`. For transports checking their own endpoint.
 *
 * @example
 * ```ts
 * throw invalidAdvertisement('endpoints.tcp.port', 'must be an integer 1..65535, got 0');
 * ```
 */
export function invalidAdvertisement(field: string, problem: string): SeamlessError {
  return new SeamlessError(ErrorCode.AdvertisementInvalid, `invalid advertisement: ${field} ${problem}`, {
    details: { field, problem },
  });
}
