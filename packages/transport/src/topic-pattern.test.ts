import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '@seamless/test-support';
import { TopicPattern, isTopicPattern, topicPatternProblem } from './topic-pattern.js';
import { topicProblem } from './validate-topic.js';

const matches = (pattern: string, topic: string): boolean => TopicPattern.parse(pattern).matches(topic);

// Topics as levels and separators, so that properties can swap levels for wildcards.
const level = fc.stringMatching(/^[A-Za-z0-9_:@+=~-]{1,6}$/);
const separatorArb = fc.constantFrom('.', '/');
const topicParts = fc
  .array(fc.tuple(level, separatorArb), { minLength: 1, maxLength: 6 })
  .map((pairs) => ({ levels: pairs.map(([text]) => text), separators: pairs.slice(1).map(([, sep]) => sep) }));
const join = (levels: readonly string[], separators: readonly string[]): string =>
  levels.map((text, index) => text + (separators[index] ?? '')).join('');

// The reference: the same rule written as a regular expression.
function reference(pattern: string, topic: string): boolean {
  const escaped = pattern
    .split(/([./])/)
    .map((part) => (part === '*' ? '[^./]+' : part === '>' ? '.+' : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`).test(topic);
}

describe('TopicPattern', () => {
  it.each([
    ['md.*', 'md.AAPL', true],
    ['md.*', 'md.us.AAPL', false],
    ['md.*', 'md', false],
    ['md.*', 'md.', false],
    ['md.*', 'md/AAPL', false],
    ['md.>', 'md.AAPL', true],
    ['md.>', 'md.us/AAPL', true],
    ['md.>', 'md', false],
    ['md.>', 'md.', false],
    ['*.AAPL', 'md.AAPL', true],
    ['*.AAPL', 'md.MSFT', false],
    ['robot-1/*', 'robot-1/imu:raw', true],
    ['>', 'anything.at/all', true],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['md.AAPL', 'md.AAPL', true],
    ['md.AAPL', 'md.AAPLX', false],
    ['价格.*', '价格.上证', true],
  ])('%s against %s: %s', (pattern, topic, expected) => {
    expect(matches(pattern, topic)).toBe(expected);
  });

  it('knows a pattern from a topic, and the literal prefix of every match', () => {
    expect(isTopicPattern('md.*')).toBe(true);
    expect(isTopicPattern('md.>')).toBe(true);
    expect(isTopicPattern('md.AAPL')).toBe(false);
    expect(TopicPattern.parse('md.us.*').prefix).toBe('md.us.');
    expect(TopicPattern.parse('*.AAPL').prefix).toBe('');
    expect(TopicPattern.parse('md.AAPL')).toMatchObject({ isPattern: false, prefix: 'md.AAPL' });
  });

  it.each([
    ['md.>.x', '">" must be the last level'],
    ['md.A*', 'a wildcard must be a whole level: "A*"'],
    ['md.>>', 'a wildcard must be a whole level: ">>"'],
    ['/md.*', 'must not start with "/"'],
    ['md..*', 'must not contain ".."'],
    ['md.#', 'reserved for wildcards'],
    ['', 'must not be empty'],
  ])('refuses %j: %s', (pattern, problem) => {
    expect(topicPatternProblem(pattern)).toContain(problem);
    expect(errorOf(() => TopicPattern.parse(pattern))).toMatchObject({ code: 'ERR_TOPIC_INVALID' });
  });

  it('accepts every valid topic as a pattern that matches exactly itself', () => {
    fc.assert(
      fc.property(topicParts, topicParts, (a, b) => {
        const topic = join(a.levels, a.separators);
        const other = join(b.levels, b.separators);
        expect(topicProblem(topic)).toBeUndefined();
        expect(topicPatternProblem(topic)).toBeUndefined();
        expect(matches(topic, topic)).toBe(true);
        expect(matches(topic, other)).toBe(topic === other);
      }),
      { numRuns: 500 },
    );
  });

  it("matches a topic with any of its levels replaced by '*', and any tail of levels by '>'", () => {
    fc.assert(
      fc.property(topicParts, fc.nat(), fc.nat(), (parts, star, rest) => {
        const topic = join(parts.levels, parts.separators);
        const starred = parts.levels.map((text, index) => (index === star % parts.levels.length ? '*' : text));
        expect(matches(join(starred, parts.separators), topic)).toBe(true);
        const cut = rest % parts.levels.length;
        expect(matches(join([...parts.levels.slice(0, cut), '>'], parts.separators.slice(0, cut)), topic)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a regular-expression reference on random patterns and topics', () => {
    const patternLevel = fc.oneof(level, fc.constant('*'), fc.constantFrom('a', 'b'));
    const patternParts = fc
      .tuple(fc.array(fc.tuple(patternLevel, separatorArb), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([pairs, rest]) => {
        const levels = pairs.map(([text]) => text);
        if (rest) levels[levels.length - 1] = '>';
        return join(
          levels,
          pairs.slice(1).map(([, sep]) => sep),
        );
      });
    const topicLevel = fc.oneof(level, fc.constantFrom('a', 'b'));
    const topics = fc.array(fc.tuple(topicLevel, separatorArb), { minLength: 1, maxLength: 5 }).map((pairs) =>
      join(
        pairs.map(([text]) => text),
        pairs.slice(1).map(([, sep]) => sep),
      ),
    );
    fc.assert(
      fc.property(patternParts, topics, (pattern, topic) => {
        expect(matches(pattern, topic)).toBe(reference(pattern, topic));
      }),
      { numRuns: 3000 },
    );
  });
});
