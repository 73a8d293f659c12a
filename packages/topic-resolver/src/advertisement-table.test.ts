import { TopicPattern } from '@seamless/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEvent, makeAdvertisement } from '../test/support/advertisements.js';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';

const first = checkAdvertisement(makeAdvertisement({ publisherId: 'p1' }));
const second = checkAdvertisement(makeAdvertisement({ publisherId: 'p2' }));
const moved = checkAdvertisement(makeAdvertisement({ publisherId: 'p1', endpoints: { tcp: { port: 1, tls: false } } }));
const on = (topic: string, publisherId: string) => checkAdvertisement(makeAdvertisement({ topic, publisherId }));
const parse = (text: string) => TopicPattern.parse(text);
/** An event with its concrete topic: `added p1 md.AAPL`. */
const withTopic = (event: Parameters<typeof describeEvent>[0]) => `${describeEvent(event)} ${event.advertisement.topic}`;

describe('AdvertisementTable', () => {
  it('reports additions, content changes as removed + added, and removals to the topic listeners', () => {
    const table = new AdvertisementTable();
    const seen: string[] = [];
    const { snapshot } = table.subscribe(parse('md.AAPL'), (event) => seen.push(describeEvent(event)));
    expect(snapshot).toEqual([]);
    expect(table.set(first)).toBe('added');
    expect(table.set(checkAdvertisement(makeAdvertisement({ publisherId: 'p1' })))).toBe('unchanged');
    expect(table.set(moved)).toBe('replaced');
    expect(table.set(second)).toBe('added');
    expect(table.delete('md.AAPL', 'p1', 'expired')).toBe(true);
    expect(table.delete('md.AAPL', 'p1', 'expired')).toBe(false);
    expect(seen).toEqual(['added p1', 'removed p1 replaced', 'added p1', 'added p2', 'removed p1 expired']);
    expect(table.list('md.AAPL')).toEqual([second.advertisement]);
    expect(table.size).toBe(1);
  });

  it('gives a later subscriber the current entries as its snapshot, and only its own topic', () => {
    const table = new AdvertisementTable();
    table.set(first);
    table.set(on('other', 'p9'));
    const seen: string[] = [];
    const { snapshot, unsubscribe } = table.subscribe(parse('md.AAPL'), (event) => seen.push(describeEvent(event)));
    expect(snapshot.map((advertisement) => advertisement.publisherId)).toEqual(['p1']);
    table.set(on('other', 'p8'));
    expect(table.listenerCount('md.AAPL')).toBe(1);
    unsubscribe();
    unsubscribe();
    table.set(second);
    expect(seen).toEqual([]);
    expect(table.listenerCount('md.AAPL')).toBe(0);
  });

  it('forgets a topic silently', () => {
    const table = new AdvertisementTable();
    const seen: string[] = [];
    table.subscribe(parse('md.AAPL'), (event) => seen.push(describeEvent(event)));
    table.set(first);
    table.set(second);
    table.forget('md.AAPL');
    expect(table.size).toBe(0);
    expect(table.list('md.AAPL')).toEqual([]);
    expect(table.matching(parse('md.*'))).toEqual([]);
    expect(seen).toEqual(['added p1', 'added p2']);
  });

  it('feeds a pattern listener the matching topics now and every change of a matching topic later, with concrete topics', () => {
    const table = new AdvertisementTable();
    for (const [topic, publisherId] of [
      ['md.AAPL', 'a'],
      ['md.us.IBM', 'deep'],
      ['md/AAPL', 'slash'],
      ['md', 'bare'],
      ['fx.EUR', 'fx'],
    ] as const) {
      table.set(on(topic, publisherId));
    }
    const oneLevel: string[] = [];
    const rest: string[] = [];
    const stopOne = table.feed(parse('md.*'), (event) => oneLevel.push(withTopic(event)));
    const stopRest = table.feed(parse('md.>'), (event) => rest.push(withTopic(event)));
    expect(oneLevel).toEqual(['added a md.AAPL']);
    expect(rest.sort()).toEqual(['added a md.AAPL', 'added deep md.us.IBM']);
    table.set(on('md.MSFT', 'later'));
    table.set(on('md.us.MSFT', 'later-deep'));
    table.set(on('fx.USD', 'never'));
    table.set(on('md/MSFT', 'never-slash'));
    table.delete('md.AAPL', 'a', 'revoked');
    expect(oneLevel).toEqual(['added a md.AAPL', 'added later md.MSFT', 'removed a revoked md.AAPL']);
    expect(rest.slice(2)).toEqual(['added later md.MSFT', 'added later-deep md.us.MSFT', 'removed a revoked md.AAPL']);
    expect(table).toMatchObject({ listeners: 2, patternListeners: 2 });
    expect(table.isWatched('md.anything')).toBe(true);
    expect(table.isWatched('md/anything')).toBe(false);
    expect(table.matchingTopics(parse('md.*')).sort()).toEqual(['md.MSFT']);
    stopOne();
    stopRest();
    stopRest();
    table.set(on('md.NEW', 'after'));
    expect(oneLevel).toHaveLength(3);
    expect(rest).toHaveLength(5);
    expect(table).toMatchObject({ listeners: 0, patternListeners: 0 });
    expect(table.isWatched('md.NEW')).toBe(false);
  });

  it('matches patterns exactly as TopicPattern does, for random tables and patterns', () => {
    const level = fc.constantFrom('md', 'us', 'AAPL');
    const separator = fc.constantFrom('.', '/');
    const name = (wild: boolean) =>
      fc
        .array(fc.tuple(wild ? fc.oneof(level, fc.constant('*')) : level, separator), { minLength: 1, maxLength: 3 })
        .map((pairs) => pairs.map(([text, sep], index) => (index === pairs.length - 1 ? text : text + sep)).join(''));
    fc.assert(
      fc.property(fc.uniqueArray(name(false), { maxLength: 10 }), name(true), fc.boolean(), (topics, text, rest) => {
        const pattern = parse(rest ? text.replace(/[^./]+$/, '>') : text);
        const table = new AdvertisementTable();
        topics.slice(0, 5).forEach((topic, index) => table.set(on(topic, `p${index}`)));
        const seen: string[] = [];
        const stop = table.feed(pattern, (event) => seen.push(event.advertisement.topic));
        topics.slice(5).forEach((topic, index) => table.set(on(topic, `q${index}`)));
        expect(seen.sort()).toEqual(topics.filter((topic) => pattern.matches(topic)).sort());
        expect(
          table
            .matching(pattern)
            .map((advertisement) => advertisement.topic)
            .sort(),
        ).toEqual(seen);
        stop();
        expect(table.listeners).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
