import { TopicPattern } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { describe, expect, it } from 'vitest';
import { EventRecorder, makeAdvertisement } from '../test/support/advertisements.js';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';
import { composeResolvers } from './compose-resolvers.js';
import type { Lease, Resolver, ResolverEvent } from './resolver.js';
import { StaticResolver } from './static-resolver.js';
import { WatchStreams } from './watch-streams.js';

/** A resolver whose contents the test sets directly, with any removal reason. */
class ScriptedResolver implements Resolver {
  readonly table = new AdvertisementTable();
  readonly watches = new WatchStreams();
  readonly stats = { invalid: 0, lastInvalid: undefined as string | undefined };
  advertised: Advertisement[] = [];
  revoked = 0;
  closed = false;
  failAdvertise = false;

  put(advertisement: Advertisement): void {
    this.table.set(checkAdvertisement(advertisement));
  }

  drop(publisherId: string, reason: string, topic = 'md.AAPL'): void {
    this.table.delete(topic, publisherId, reason);
  }

  advertise(advertisement: Advertisement): Promise<Lease> {
    if (this.failAdvertise) return Promise.reject(new Error('advertise failed'));
    this.advertised.push(advertisement);
    return Promise.resolve({
      advertisement,
      revoke: () => {
        this.revoked += 1;
        return Promise.resolve();
      },
    });
  }

  resolve(topic: string): Promise<Advertisement[]> {
    return Promise.resolve(this.table.matching(TopicPattern.parse(topic)));
  }

  watch(topic: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    return this.watches.iterable((sink) => {
      const { snapshot, unsubscribe } = this.table.subscribe(TopicPattern.parse(topic), (event) => {
        sink.push(event);
      });
      for (const advertisement of snapshot) sink.push({ type: 'added', advertisement });
      return unsubscribe;
    }, signal);
  }

  close(): Promise<void> {
    this.closed = true;
    this.watches.endAll();
    return Promise.resolve();
  }
}

const p1 = makeAdvertisement({ publisherId: 'p1' });
const p1Moved = makeAdvertisement({ publisherId: 'p1', endpoints: { tcp: { port: 2, tls: false } } });
const p2 = makeAdvertisement({ publisherId: 'p2' });

describe('composeResolvers', () => {
  it('refuses no resolvers and things that are not resolvers', () => {
    expect(() => composeResolvers()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error);
    expect(() => composeResolvers({ resolve: () => undefined } as unknown as Resolver)).toThrow(
      'argument 0 is not a resolver (no advertise, watch, close method)',
    );
  });

  it('advertises on every member and revokes on every member, once', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    const composed = composeResolvers(a, b);
    const lease = await composed.advertise(p1);
    expect(lease.advertisement).toEqual(p1);
    expect(a.advertised).toEqual([p1]);
    expect(b.advertised).toEqual([p1]);
    await lease.revoke();
    await lease.revoke();
    expect([a.revoked, b.revoked]).toEqual([1, 1]);
  });

  it('advertises all or nothing: a failing member gets the others revoked and the error thrown', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    b.failAdvertise = true;
    await expect(composeResolvers(a, b).advertise(p1)).rejects.toThrow('advertise failed');
    expect(a.revoked).toBe(1);
    await expect(composeResolvers(a).advertise({ ...p1, publisherId: '' })).rejects.toMatchObject({
      code: 'ERR_ADVERTISEMENT_INVALID',
    });
  });

  it('merges resolve() answers by publisher id, the first member winning', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    a.put(p1);
    b.put(p1Moved);
    b.put(p2);
    const found = await composeResolvers(a, b).resolve('md.AAPL');
    expect(found).toEqual([p1, p2]);
    await expect(composeResolvers(a).resolve('')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
  });

  it('watches all members: added on the first report, removed when the last member drops it', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    a.put(p1);
    const composed = composeResolvers(a, b);
    const watcher = new EventRecorder(composed.watch('md.AAPL'));
    await watcher.until(1);
    b.put(p1);
    b.put(p2);
    await watcher.until(2);
    a.drop('p1', 'expired');
    b.drop('p2', 'expired');
    await watcher.until(3);
    b.drop('p1', 'expired');
    expect(await watcher.until(4)).toEqual(['added p1', 'added p2', 'removed p2 expired', 'removed p1 expired']);
    await composed.close();
    await watcher.done;
    expect([a.closed, b.closed]).toEqual([true, true]);
  });

  it('reports a definitive removal (owner-exited, revoked) from any member at once', async () => {
    const host = new ScriptedResolver();
    const multicast = new ScriptedResolver();
    host.put(p1);
    multicast.put(p1);
    const composed = composeResolvers(host, multicast);
    const watcher = new EventRecorder(composed.watch('md.AAPL'));
    await watcher.until(1);
    host.drop('p1', 'owner-exited');
    expect(await watcher.until(2)).toEqual(['added p1', 'removed p1 owner-exited']);
    multicast.drop('p1', 'expired'); // already reported
    multicast.put(p2);
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 owner-exited', 'added p2']);
    await composed.close();
  });

  it('follows the preferred member when content differs, as removed + added', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    b.put(p1Moved);
    const composed = composeResolvers(a, b);
    const watcher = new EventRecorder(composed.watch('md.AAPL'));
    await watcher.until(1);
    a.put(p1); // the first member now reports other content: it wins
    await watcher.until(3);
    a.drop('p1', 'expired'); // back to the second member's content
    await watcher.until(5);
    a.put(p1Moved); // the preferred member now agrees with what was reported: nothing
    b.put(p2);
    await watcher.until(6);
    expect(watcher.described).toEqual(['added p1', 'removed p1 replaced', 'added p1', 'removed p1 replaced', 'added p1', 'added p2']);
    expect(watcher.events[2]?.advertisement).toEqual(p1);
    expect(watcher.events[4]?.advertisement).toEqual(p1Moved);
    await composed.close();
  });

  it('passes a member-level replacement through as removed + added', async () => {
    const a = new ScriptedResolver();
    a.put(p1);
    const composed = composeResolvers(a);
    const watcher = new EventRecorder(composed.watch('md.AAPL'));
    await watcher.until(1);
    a.put(p1Moved);
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 replaced', 'added p1']);
    await composed.close();
  });

  it('releases every member watch when the consumer leaves or the signal aborts', async () => {
    const a = new ScriptedResolver();
    const b = new ScriptedResolver();
    a.put(p1);
    const composed = composeResolvers(a, b);
    for await (const event of composed.watch('md.AAPL')) {
      expect(event.type).toBe('added');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect([a.table.listenerCount('md.AAPL'), b.table.listenerCount('md.AAPL')]).toEqual([0, 0]);
    const controller = new AbortController();
    const watcher = new EventRecorder(composed.watch('md.AAPL', controller.signal));
    await watcher.until(1);
    controller.abort();
    await watcher.done;
    await new Promise((resolve) => setImmediate(resolve));
    expect([a.table.listenerCount('md.AAPL'), b.table.listenerCount('md.AAPL')]).toEqual([0, 0]);
  });

  it('fans a pattern watch out to every member and merges by topic and publisher id', async () => {
    const a = new ScriptedResolver();
    const b = new StaticResolver({ 'md.us.IBM': [{ address: '10.0.0.9', port: 1, publisherId: 'static-ibm' }], 'fx.EUR': ['10.0.0.9:2'] });
    a.put(p1);
    a.put(makeAdvertisement({ topic: 'md/AAPL', publisherId: 'slash' }));
    const composed = composeResolvers(a, b);
    const controller = new AbortController();
    const watcher = new EventRecorder(composed.watch('md.>', controller.signal));
    const oneLevel = new EventRecorder(composed.watch('md.*', controller.signal));
    expect((await watcher.until(2)).sort()).toEqual(['added p1', 'added static-ibm']);
    expect(await oneLevel.until(1)).toEqual(['added p1']);
    // The same publisher id on another topic is another publisher.
    a.put(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'p1' }));
    await watcher.until(3);
    // Reported by both members: it stays until the last one drops it. Each member's events
    // come in order, so a sentinel after a change says that the change was merged.
    a.put(makeAdvertisement({ topic: 'fx.USD', publisherId: 'never' }));
    const lease = await b.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'p1' }));
    await b.advertise(makeAdvertisement({ topic: 'md.us.X', publisherId: 'sentinel-b' }));
    await watcher.until(4);
    a.drop('p1', 'expired', 'md.MSFT');
    a.put(makeAdvertisement({ topic: 'md.us.Y', publisherId: 'sentinel-a' }));
    await watcher.until(5);
    await lease.revoke();
    const events = await watcher.until(6);
    expect(events.slice(2)).toEqual(['added p1', 'added sentinel-b', 'added sentinel-a', 'removed p1 revoked']);
    expect(watcher.events.slice(2).map((event) => event.advertisement.topic)).toEqual(['md.MSFT', 'md.us.X', 'md.us.Y', 'md.MSFT']);
    expect(await oneLevel.until(3)).toEqual(['added p1', 'added p1', 'removed p1 revoked']);
    const resolved = await composed.resolve('md.*');
    expect(resolved.map((advertisement) => `${advertisement.topic} ${advertisement.publisherId}`).sort()).toEqual(['md.AAPL p1']);
    expect(() => composed.watch('md.>.x')).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
    await expect(composed.resolve('md.A*')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    controller.abort();
    await Promise.all([watcher.done, oneLevel.done]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.table).toMatchObject({ listeners: 0, patternListeners: 0 });
    await composed.close();
  });

  it('ends its watch when a member closes on its own, and sums the members’ invalid counters', async () => {
    const a = new ScriptedResolver();
    const b = new StaticResolver({ 'md.AAPL': ['10.0.0.5:1'] });
    a.stats.invalid = 3;
    a.stats.lastInvalid = 'bad magic';
    const composed = composeResolvers(a, b);
    expect(composed.stats).toEqual({ invalid: 3, lastInvalid: 'bad magic' });
    const watcher = new EventRecorder(composed.watch('md.AAPL'));
    await watcher.until(1);
    await a.close();
    await watcher.done;
    await composed.close();
    await expect(composed.resolve('md.AAPL')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
