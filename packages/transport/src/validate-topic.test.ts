import { describe, expect, it } from 'vitest';
import { ErrorCode, SeamlessError } from './seamless-error.js';
import { MAX_TOPIC_BYTES, topicProblem, validateTopic } from './validate-topic.js';

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return SeamlessError.isInstance(error) ? error.code : `not a SeamlessError: ${String(error)}`;
  }
  return undefined;
}

describe('validateTopic', () => {
  it.each([
    'md.AAPL',
    'orders/fills',
    'robot-1/imu:raw',
    'a',
    'x_y-z.w:v/u@t+s=r~q',
    '价格.上证',
    'café',
    'sensor.9',
    'a'.repeat(MAX_TOPIC_BYTES),
  ])('accepts %j', (topic) => {
    expect(validateTopic(topic)).toBe(topic);
    expect(topicProblem(topic)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['/md/AAPL', 'must not start with "/"'],
    ['md/AAPL/', 'must not end with "/"'],
    ['md//AAPL', 'empty segment'],
    ['md/./AAPL', '"." segment'],
    ['md/../secrets', 'must not contain ".."'],
    ['..', 'must not contain ".."'],
    ['md..AAPL', 'must not contain ".."'],
    ['md AAPL', 'must not contain " "'],
    ['md\u0000AAPL', 'NUL'],
    ['md\nAAPL', 'control characters (U+000A at index 2)'],
    ['md\u007fAAPL', 'control characters'],
    ['md.*', 'reserved for wildcards'],
    ['md.>', 'reserved for wildcards'],
    ['md#1', 'reserved for wildcards'],
    ['md\\AAPL', 'must not contain "\\\\"'],
    ['md"AAPL', 'must not contain'],
    ['a'.repeat(MAX_TOPIC_BYTES + 1), `256 bytes of UTF-8, the limit is ${MAX_TOPIC_BYTES}`],
    // 86 three-byte characters: 86 characters but 258 bytes.
    ['价'.repeat(86), '258 bytes of UTF-8'],
    ['\ud800', 'must not contain'],
  ])('refuses %j (%s)', (topic, problem) => {
    expect(codeOf(() => validateTopic(topic))).toBe(ErrorCode.TopicInvalid);
    expect(topicProblem(topic)).toContain(problem);
  });

  it.each([[undefined], [null], [42], [{}], [['md.AAPL']], [Symbol('x')]])('refuses the non-string %s', (value) => {
    expect(codeOf(() => validateTopic(value))).toBe('ERR_TOPIC_INVALID');
    expect(topicProblem(value)).toMatch(/^must be a string, got /);
  });

  it('counts the 255-byte limit in UTF-8 bytes, not characters', () => {
    expect(topicProblem('价'.repeat(85))).toBeUndefined(); // 255 bytes
    expect(topicProblem(`${'价'.repeat(85)}a`)).toContain('256 bytes');
    expect(topicProblem('😀'.repeat(63))).toContain('must not contain'); // emoji are not letters
  });

  it('names the topic and the problem in the error', () => {
    let caught: unknown;
    try {
      validateTopic('md/../x');
    } catch (error) {
      caught = error;
    }
    expect(SeamlessError.isInstance(caught)).toBe(true);
    const error = caught as SeamlessError;
    expect(error.message).toBe('invalid topic "md/../x": must not contain ".."');
    expect(error.details).toEqual({ topic: 'md/../x', problem: 'must not contain ".."' });
  });
});
