import { TopicPattern } from '@seamless/transport';
import { describe, expect, it } from 'vitest';
import { describeEvent, makeAdvertisement } from '../../test/support/advertisements.js';
import { AdvertisementTable } from '../advertisement-table.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import { AdvertisementDigest, advertisementHash } from './advertisement-digest.js';
import { RemoteView } from './remote-view.js';
import type { HeartbeatClaim } from './remote-view.js';

const alice = 'aaaaaaaaaaaaaaaa';
const bob = 'bbbbbbbbbbbbbbbb';
const lease = 3000;

function ad(index: number, overrides = {}): CheckedAdvertisement {
  return checkAdvertisement(makeAdvertisement({ topic: 'md', publisherId: `p${index}`, ...overrides }));
}

function claim(list: readonly CheckedAdvertisement[], round = 0, running = false): HeartbeatClaim {
  const digest = new AdvertisementDigest();
  for (const entry of list) digest.add(advertisementHash(entry.json));
  return { leaseMs: lease, count: digest.count, digest: digest.digest, round, running };
}

function setUp(options: { maxAdvertisements?: number; own?: string } = {}) {
  const table = new AdvertisementTable();
  const events: string[] = [];
  table.feed(TopicPattern.parse('md'), (event) => events.push(describeEvent(event)));
  let dropped = 0;
  const view = new RemoteView({
    table,
    isOwn: (advertisement) => advertisement.publisherId === options.own,
    maxAdvertisements: options.maxAdvertisements ?? 1000,
    tombstoneMs: lease,
    repairBackoffMs: 2000,
    onDropped: () => (dropped += 1),
  });
  const ids = () =>
    table
      .list('md')
      .map((advertisement) => advertisement.publisherId)
      .sort();
  return { view, table, events, ids, dropped: () => dropped };
}

describe('RemoteView', () => {
  it("keeps a sender's advertisements while its heartbeats come, and expires all of them when they stop", () => {
    const { view, events, ids } = setUp();
    const list = [ad(0), ad(1), ad(2)];
    view.announced(alice, 1, lease, 0, list, 0);
    expect(view.heartbeat(alice, 2, claim(list), 2500)).toBe(false);
    expect(view.sweep(5000)).toBe(0); // renewed at 2500 for 3000 ms
    expect(ids()).toEqual(['p0', 'p1', 'p2']);
    expect(view.sweep(5500)).toBe(3);
    expect(events.slice(3)).toEqual(['removed p0 expired', 'removed p1 expired', 'removed p2 expired']);
    expect(view.knows(alice)).toBe(false);
  });

  it('asks a sender for everything when its heartbeat claims more, with a doubling backoff', () => {
    const { view } = setUp();
    const list = [ad(0), ad(1)];
    view.announced(alice, 1, lease, 0, [ad(0)], 0); // p1's datagram was lost
    expect(view.heartbeat(alice, 2, claim(list), 1000)).toBe(true);
    expect(view.heartbeat(alice, 3, claim(list), 2000)).toBe(false); // backed off 2 s
    expect(view.heartbeat(alice, 4, claim(list), 3000)).toBe(true);
    expect(view.heartbeat(alice, 5, claim(list), 6000)).toBe(false); // no progress: now 4 s
    expect(view.heartbeat(alice, 6, claim(list), 7000)).toBe(true);
    // Progress keeps the pace: we hold more than when we last asked.
    const three = [...list, ad(9)];
    view.announced(alice, 7, lease, 0, [ad(1)], 7050);
    expect(view.heartbeat(alice, 8, claim(three), 9000)).toBe(true);
    expect(view.heartbeat(alice, 9, claim(three), 11_000)).toBe(true);
    expect(view.heartbeat(alice, 10, claim(three), 13_000)).toBe(false);
    view.announced(alice, 11, lease, 1, three, 13_100);
    expect(view.heartbeat(alice, 12, claim(three, 1), 13_200)).toBe(false);
    // A match resets the backoff.
    view.announced(alice, 13, lease, 1, [ad(3)], 13_300);
    const more = [...three, ad(3), ad(4)];
    expect(view.heartbeat(alice, 14, claim(more, 1), 14_000)).toBe(true);
    expect(view.heartbeat(alice, 15, claim(more, 1), 16_000)).toBe(true);
    expect(view.heartbeat(alice, 16, claim(more, 1), 18_000)).toBe(false);
  });

  it('asks when it holds an older version of an advertisement (a lost change)', () => {
    const { view, ids } = setUp();
    view.announced(alice, 1, lease, 0, [ad(0)], 0);
    expect(view.heartbeat(alice, 3, claim([ad(0, { maxMessageSize: 9 })]), 100)).toBe(true);
    expect(ids()).toEqual(['p0']);
  });

  it('waits while the sender re-announces everything, and for a sender it does not know that has nothing', () => {
    const { view } = setUp();
    view.announced(alice, 1, lease, 0, [ad(0)], 0);
    expect(view.heartbeat(alice, 2, claim([ad(0), ad(1)], 0, true), 100)).toBe(false);
    expect(view.heartbeat(bob, 1, claim([]), 100)).toBe(false);
    expect(view.knows(bob)).toBe(false);
    expect(view.heartbeat(bob, 2, claim([ad(5)]), 100)).toBe(true);
  });

  it('drops what a completed round did not re-announce when the rest matches (a lost goodbye)', () => {
    const { view, events, ids } = setUp();
    view.announced(alice, 1, lease, 0, [ad(0), ad(1), ad(2)], 0);
    // p2 was withdrawn; the goodbye was lost. Round 1 re-announced p0 and p1.
    view.announced(alice, 5, lease, 1, [ad(0), ad(1)], 100);
    expect(view.heartbeat(alice, 6, claim([ad(0), ad(1)], 1), 200)).toBe(false);
    expect(ids()).toEqual(['p0', 'p1']);
    expect(events).toEqual(['added p0', 'added p1', 'added p2', 'removed p2 revoked']);
  });

  it('drops nothing when the completed round itself was not fully heard, and asks again', () => {
    const { view, ids } = setUp();
    view.announced(alice, 1, lease, 0, [ad(0), ad(1), ad(2)], 0);
    // p2 withdrawn (goodbye lost); of round 1 only p0 arrived.
    view.announced(alice, 5, lease, 1, [ad(0)], 100);
    expect(view.heartbeat(alice, 7, claim([ad(0), ad(1)], 1), 200)).toBe(true);
    expect(ids()).toEqual(['p0', 'p1', 'p2']);
  });

  it('does not ask while the answers to its own query for everything are on the way', () => {
    const { view } = setUp();
    view.askedEveryone(1000);
    expect(view.heartbeat(alice, 1, claim([ad(0)]), 1500)).toBe(false);
    expect(view.heartbeat(alice, 2, claim([ad(0)]), 3000)).toBe(true);
  });

  it('never asks a sender it could not hold completely (maxAdvertisements)', () => {
    const { view, ids, dropped } = setUp({ maxAdvertisements: 2 });
    const list = [ad(0), ad(1), ad(2)];
    view.announced(alice, 1, lease, 0, list, 0);
    expect(ids()).toEqual(['p0', 'p1']);
    expect(dropped()).toBe(1);
    expect(view.heartbeat(alice, 2, claim(list), 100)).toBe(false);
  });

  it('honours goodbyes only from the announcing sender with a newer sequence, and a goodbye to everything', () => {
    const { view, events, ids } = setUp();
    view.announced(alice, 10, lease, 0, [ad(0), ad(1)], 0);
    view.goodbye(bob, 99, [{ topic: 'md', publisherId: 'p0' }], 0);
    view.goodbye(alice, 9, [{ topic: 'md', publisherId: 'p0' }], 0);
    expect(ids()).toEqual(['p0', 'p1']);
    view.goodbye(alice, 11, [{ topic: 'md', publisherId: 'p0' }], 0);
    view.announced(alice, 10, lease, 0, [ad(0)], 0); // a late copy
    expect(ids()).toEqual(['p1']);
    view.goodbye(alice, 12, 'all', 0);
    view.announced(alice, 11, lease, 0, [ad(1)], 0); // overtaken by the goodbye
    view.heartbeat(alice, 12, claim([ad(1)]), 0);
    expect(ids()).toEqual([]);
    view.announced(alice, 13, lease, 0, [ad(1)], 0); // the sender came back
    expect(events).toEqual(['added p0', 'added p1', 'removed p0 revoked', 'removed p1 revoked', 'added p1']);
  });

  it('moves an advertisement announced by another sender, and leaves our own entries alone', () => {
    const { view, table, events, ids } = setUp({ own: 'mine' });
    const mine = ad(0, { publisherId: 'mine', maxMessageSize: 1 });
    table.set(mine);
    view.announced(alice, 1, lease, 0, [ad(0, { publisherId: 'mine' }), ad(1)], 0);
    view.announced(bob, 1, lease, 0, [ad(1)], 0);
    expect(view.heartbeat(bob, 2, claim([ad(1)]), 1000)).toBe(false);
    expect(view.sweep(3500)).toBe(0); // alice's entries: ours shadows one, bob took the other
    expect(ids()).toEqual(['mine', 'p1']);
    expect(table.get('md', 'mine')).toBe(mine);
    expect(events).toEqual(['added mine', 'added p1']);
    expect(view.sweep(6000)).toBe(1);
  });
});
