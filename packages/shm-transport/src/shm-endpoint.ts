import { describeValue, invalidAdvertisement, requireEndpoint } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';

/** The kind the shared-memory transport names itself: `message.transport === 'shm'`. */
export const SHM_TRANSPORT_KIND = 'shm';

/**
 * Where a publication can be reached over shared memory, as advertised under
 * `endpoints.shm`: the segment's name and the random nonce written into its header. A
 * subscriber that opens the segment and finds the same nonce knows it shares memory with the
 * publisher (not merely a segment of the same name in another container).
 */
export interface ShmEndpoint {
  /** The segment name as passed to `shm_open` (starts with `/`). */
  readonly segment: string;
  /** 32 hexadecimal digits, random per segment. */
  readonly nonce: string;
}

const segmentPattern = /^\/[A-Za-z0-9._-]{1,250}$/;
const noncePattern = /^[0-9a-f]{32}$/;

/**
 * Validates an advertised shared-memory endpoint (untrusted: it came through a resolver).
 *
 * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` naming the bad field.
 *
 * @example
 * ```ts
 * const { segment, nonce } = parseShmEndpoint(advertisement.endpoints['shm']);
 * ```
 */
export function parseShmEndpoint(value: unknown): ShmEndpoint {
  const field = `endpoints.${SHM_TRANSPORT_KIND}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidAdvertisement(field, `must be an object, got ${describeValue(value)}`);
  }
  const { segment, nonce } = value as Record<string, unknown>;
  if (typeof segment !== 'string' || !segmentPattern.test(segment)) {
    throw invalidAdvertisement(`${field}.segment`, `must match /[A-Za-z0-9._-]+ (at most 251 characters), got ${describeValue(segment)}`);
  }
  if (typeof nonce !== 'string' || !noncePattern.test(nonce)) {
    throw invalidAdvertisement(`${field}.nonce`, `must be 32 lowercase hex digits, got ${describeValue(nonce)}`);
  }
  return Object.freeze({ segment, nonce });
}

/**
 * The shared-memory endpoint of an advertisement.
 *
 * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` when it has none or it is malformed.
 */
export function shmEndpointOf(advertisement: Advertisement): ShmEndpoint {
  return parseShmEndpoint(requireEndpoint(advertisement, SHM_TRANSPORT_KIND));
}
