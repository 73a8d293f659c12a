import { ErrorCode, SeamlessError } from './seamless-error.js';

/** The largest topic name, in bytes of UTF-8. */
export const MAX_TOPIC_BYTES = 255;

// Letters, combining marks and digits of any script, plus a few ASCII punctuation marks.
// `*`, `>` and `#` are reserved for wildcards; whitespace, quotes and `\` are never allowed.
const allowedCharacter = /^[\p{L}\p{M}\p{N}_\-.:/@+=~]$/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Explains why `topic` is not a valid topic name, or returns `undefined` when it is valid.
 * This is the non-throwing form of {@link validateTopic}.
 *
 * @example
 * ```ts
 * topicProblem('md.AAPL');   // undefined
 * topicProblem('/md/AAPL');  // 'must not start with "/"'
 * ```
 */
export function topicProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string') return `must be a string, got ${describeType(topic)}`;
  if (topic.length === 0) return 'must not be empty';
  const bytes = utf8Length(topic);
  if (bytes > MAX_TOPIC_BYTES) return `is ${bytes} bytes of UTF-8, the limit is ${MAX_TOPIC_BYTES}`;
  if (topic.includes('\u0000')) return 'must not contain NUL';
  const control = controlCharacter.exec(topic);
  if (control !== null) {
    return `must not contain control characters (U+${hex(control[0])} at index ${control.index})`;
  }
  let index = 0;
  for (const character of topic) {
    if (!allowedCharacter.test(character)) {
      const reserved = '*>#'.includes(character) ? ' (reserved for wildcards)' : '';
      return `must not contain ${JSON.stringify(character)}${reserved} at index ${index}; allowed are letters, digits and _ - . : / @ + = ~`;
    }
    index += character.length;
  }
  if (topic.startsWith('/')) return 'must not start with "/"';
  if (topic.endsWith('/')) return 'must not end with "/"';
  if (topic.includes('..')) return 'must not contain ".."';
  for (const segment of topic.split('/')) {
    if (segment === '') return 'must not contain an empty segment ("//")';
    if (segment === '.') return 'must not contain a "." segment';
  }
  return undefined;
}

/**
 * Checks a topic name and returns it unchanged, or throws {@link SeamlessError} with code
 * `ERR_TOPIC_INVALID` and a message that says what is wrong.
 *
 * The rules: a non-empty string of at most 255 bytes of UTF-8, made of Unicode letters,
 * combining marks and digits and the characters `_ - . : / @ + = ~`; no whitespace, NUL or
 * other control characters; `*`, `>` and `#` are reserved for wildcards; it must not start or
 * end with `/`, contain an empty or `.` segment between slashes, or contain `..` anywhere.
 * Topics such as `md.AAPL`, `orders/fills`, `robot-1/imu:raw` and `价格.上证` are valid.
 *
 * @example
 * ```ts
 * import { validateTopic } from '@seamless/transport';
 *
 * validateTopic('md.AAPL');       // 'md.AAPL'
 * validateTopic('md/../secrets'); // throws SeamlessError ERR_TOPIC_INVALID
 * ```
 */
export function validateTopic(topic: unknown): string {
  const problem = topicProblem(topic);
  if (problem !== undefined) {
    const shown = typeof topic === 'string' ? JSON.stringify(topic.slice(0, 64)) : 'topic';
    throw new SeamlessError(ErrorCode.TopicInvalid, `invalid topic ${shown}: ${problem}`, {
      details: { topic, problem },
    });
  }
  return topic as string;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  return typeof value;
}

function hex(character: string): string {
  return (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
