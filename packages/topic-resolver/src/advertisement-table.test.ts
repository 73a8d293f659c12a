import { describe, expect, it } from 'vitest';
import { describeEvent, makeAdvertisement } from '../test/support/advertisements.js';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';

const first = checkAdvertisement(makeAdvertisement({ publisherId: 'p1' }));
const second = checkAdvertisement(makeAdvertisement({ publisherId: 'p2' }));
const moved = checkAdvertisement(makeAdvertisement({ publisherId: 'p1', endpoints: { tcp: { port: 1, tls: false } } }));

describe('AdvertisementTable', () => {
  it('reports additions, content changes as removed + added, and removals to the topic listeners', () => {
    const table = new AdvertisementTable();
    const seen: string[] = [];
    const { snapshot } = table.subscribe('md.AAPL', (event) => seen.push(describeEvent(event)));
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
    table.set(checkAdvertisement(makeAdvertisement({ topic: 'other', publisherId: 'p9' })));
    const seen: string[] = [];
    const { snapshot, unsubscribe } = table.subscribe('md.AAPL', (event) => seen.push(describeEvent(event)));
    expect(snapshot.map((advertisement) => advertisement.publisherId)).toEqual(['p1']);
    table.set(checkAdvertisement(makeAdvertisement({ topic: 'other', publisherId: 'p8' })));
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
    table.subscribe('md.AAPL', (event) => seen.push(describeEvent(event)));
    table.set(first);
    table.set(second);
    table.forget('md.AAPL');
    expect(table.size).toBe(0);
    expect(table.list('md.AAPL')).toEqual([]);
    expect(seen).toEqual(['added p1', 'added p2']);
  });
});
