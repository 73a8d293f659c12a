import { TopicPattern } from '@seamless/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicPatternIndex, firstLevel, literalFirstLevel } from './topic-pattern-index.js';

// Topics and patterns over a few short levels, so that random ones often match.
const level = fc.constantFrom('md', 'us', 'AAPL', 'x');
const separator = fc.constantFrom('.', '/');
const topic = fc
  .array(fc.tuple(level, separator), { minLength: 1, maxLength: 4 })
  .map((pairs) => pairs.map(([text, sep], index) => (index === pairs.length - 1 ? text : text + sep)).join(''));
const pattern = fc
  .array(fc.tuple(fc.oneof(level, fc.constant('*')), separator), { minLength: 1, maxLength: 4 })
  .chain((pairs) =>
    fc.boolean().map((rest) => {
      const levels: string[] = pairs.map(([text]) => text);
      if (rest) levels[levels.length - 1] = '>';
      return levels.map((text, index) => (index === levels.length - 1 ? text : text + (pairs[index]?.[1] ?? '.'))).join('');
    }),
  )
  .map((text) => TopicPattern.parse(text));

describe('TopicPatternIndex', () => {
  it('finds a value by its exact topic, or by each pattern that matches, and nothing else', () => {
    const index = new TopicPatternIndex<string>();
    index.add(TopicPattern.parse('md.AAPL'), 'exact');
    index.add(TopicPattern.parse('md.*'), 'one level');
    index.add(TopicPattern.parse('md.>'), 'rest');
    index.add(TopicPattern.parse('*.AAPL'), 'wild first');
    index.add(TopicPattern.parse('md/*'), 'slash');
    expect(index.valuesFor('md.AAPL').sort()).toEqual(['exact', 'one level', 'rest', 'wild first']);
    expect(index.valuesFor('md.us.AAPL').sort()).toEqual(['rest']);
    expect(index.valuesFor('md/AAPL').sort()).toEqual(['slash']);
    expect(index.valuesFor('md')).toEqual([]);
    expect(index.valuesFor('other.MSFT')).toEqual([]);
    expect(index.has('fx.AAPL')).toBe(true);
    expect(index.has('fx.EUR')).toBe(false);
    expect(index).toMatchObject({ size: 5, patternCount: 4 });
    expect(index.exactCount('md.AAPL')).toBe(1);
  });

  it('takes a value out once, however often its remover runs, and keeps no empty bucket', () => {
    const index = new TopicPatternIndex<string>();
    const removeA = index.add(TopicPattern.parse('md.*'), 'a');
    const removeB = index.add(TopicPattern.parse('md.*'), 'a');
    const removeC = index.add(TopicPattern.parse('>'), 'c');
    const removeD = index.add(TopicPattern.parse('md.AAPL'), 'd');
    removeA();
    removeA();
    expect(index.valuesFor('md.AAPL').sort()).toEqual(['a', 'c', 'd']);
    for (const remove of [removeB, removeC, removeD]) remove();
    expect(index).toMatchObject({ size: 0, patternCount: 0 });
    expect(index.has('md.AAPL')).toBe(false);
  });

  it('agrees with checking every pattern, for random topics and patterns', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), fc.array(topic, { minLength: 1, maxLength: 12 }), (patterns, topics) => {
        const index = new TopicPatternIndex<number>();
        patterns.forEach((each, position) => index.add(each, position));
        for (const candidate of topics) {
          const expected = patterns.flatMap((each, position) => (each.matches(candidate) ? [position] : []));
          expect(index.valuesFor(candidate).sort((a, b) => a - b)).toEqual(expected);
          expect(index.has(candidate)).toBe(expected.length > 0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('files a pattern under its first level only when that level is literal', () => {
    expect(firstLevel('md.us/AAPL')).toBe('md');
    expect(firstLevel('md')).toBe('md');
    expect(literalFirstLevel(TopicPattern.parse('md.us.*'))).toBe('md');
    expect(literalFirstLevel(TopicPattern.parse('md/>'))).toBe('md');
    expect(literalFirstLevel(TopicPattern.parse('*.AAPL'))).toBeUndefined();
    expect(literalFirstLevel(TopicPattern.parse('>'))).toBeUndefined();
  });
});
