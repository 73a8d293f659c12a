import { ErrorCode, SeamlessError } from './seamless-error.js';

/** The longest publisher id, in characters (ASCII only, so also in bytes). */
export const MAX_PUBLISHER_ID_LENGTH = 64;

const publisherIdPattern = /^[A-Za-z0-9_-]+$/;

/**
 * Explains why `publisherId` is not a valid publisher id, or returns `undefined` when it is:
 * 1 to 64 characters of `A-Z a-z 0-9 _ -`. The non-throwing form of
 * {@link validatePublisherId}, for parsers that report with their own error code.
 *
 * @example
 * ```ts
 * publisherIdProblem('feed-1'); // undefined
 * publisherIdProblem('feed 1'); // 'must be 1 to 64 characters of A-Z a-z 0-9 _ -, got "feed 1"'
 * ```
 */
export function publisherIdProblem(publisherId: unknown): string | undefined {
  const rule = `must be 1 to ${MAX_PUBLISHER_ID_LENGTH} characters of A-Z a-z 0-9 _ -`;
  if (typeof publisherId !== 'string') return `${rule}, got ${typeof publisherId}`;
  if (publisherId.length <= MAX_PUBLISHER_ID_LENGTH && publisherIdPattern.test(publisherId)) return undefined;
  const shown = JSON.stringify(publisherId.length > 80 ? `${publisherId.slice(0, 80)}…` : publisherId);
  const length = publisherId.length > MAX_PUBLISHER_ID_LENGTH ? ` (${publisherId.length} characters)` : '';
  return `${rule}, got ${shown}${length}`;
}

/**
 * Checks a publisher id and returns it unchanged, or throws {@link SeamlessError}
 * `ERR_INVALID_ARGUMENT` saying what is wrong. Every transport checks the id of a publication
 * it opens with this, so the same mistake is the same error everywhere.
 *
 * @example
 * ```ts
 * validatePublisherId('feed-1'); // 'feed-1'
 * validatePublisherId('x'.repeat(65)); // throws ERR_INVALID_ARGUMENT
 * ```
 */
export function validatePublisherId(publisherId: unknown, context = 'publisherId'): string {
  const problem = publisherIdProblem(publisherId);
  if (problem !== undefined) {
    throw new SeamlessError(ErrorCode.InvalidArgument, `${context} ${problem}`, { details: { publisherId } });
  }
  return publisherId as string;
}
