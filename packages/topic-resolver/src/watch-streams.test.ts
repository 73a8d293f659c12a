import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { describeEvent, makeAdvertisement } from '../test/support/advertisements.js';
import type { ResolverEvent } from './resolver.js';
import { WatchStreams } from './watch-streams.js';
import type { WatchSink } from './watch-streams.js';

const added = (publisherId: string): ResolverEvent => ({ type: 'added', advertisement: makeAdvertisement({ publisherId }) });

function feeder() {
  const sinks: WatchSink[] = [];
  let stopped = 0;
  return {
    sinks,
    get stopped() {
      return stopped;
    },
    start: (sink: WatchSink) => {
      sinks.push(sink);
      sink.push(added('snapshot'));
      return () => {
        stopped += 1;
      };
    },
  };
}

describe('WatchStreams', () => {
  it('listens once to a signal that many watches share, ends them all on abort, and lets go of it', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const controller = new AbortController();
    const iterators = Array.from({ length: 50 }, () => streams.iterable(feed.start, controller.signal)[Symbol.asyncIterator]());
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(streams.size).toBe(50);
    // One leaves early: its end must not take the listener the others still need.
    await iterators[0]?.return?.();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    for (const iterator of iterators.slice(1)) expect((await iterator.next()).done).toBe(true);
    expect(streams.size).toBe(0);
    expect(feed.stopped).toBe(50);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener from a signal once every watch on it ended without an abort', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const controller = new AbortController();
    const iterators = [1, 2].map(() => streams.iterable(feed.start, controller.signal)[Symbol.asyncIterator]());
    for (const iterator of iterators) await iterator.return?.();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('delivers pushed events in order and starts a fresh stream on each iteration', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const iterable = streams.iterable(feed.start, undefined);
    const seen: string[] = [];
    for await (const event of iterable) {
      seen.push(describeEvent(event));
      if (seen.length === 1) {
        feed.sinks[0]?.push(added('a'));
        feed.sinks[0]?.push(added('b'));
      }
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['added snapshot', 'added a', 'added b']);
    expect(feed.stopped).toBe(1);
    expect(streams.size).toBe(0);
    const again = iterable[Symbol.asyncIterator]();
    expect((await again.next()).value).toEqual(added('snapshot'));
    await again.return?.();
    expect(feed.stopped).toBe(2);
  });

  it('ends cleanly when the signal aborts, even while waiting, and releases the feeder', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of streams.iterable(feed.start, controller.signal)) seen.push(describeEvent(event));
    })();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await loop;
    expect(seen).toEqual(['added snapshot']);
    expect(feed.stopped).toBe(1);
  });

  it('yields nothing for an already aborted signal and never starts the feeder', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const iterator = streams.iterable(feed.start, AbortSignal.abort())[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(feed.sinks).toHaveLength(0);
  });

  it('ends every stream on endAll and refuses new ones', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const iterator = streams.iterable(feed.start, undefined)[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    streams.endAll();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(feed.stopped).toBe(1);
    const late = streams.iterable(feed.start, undefined)[Symbol.asyncIterator]();
    expect(await late.next()).toEqual({ value: undefined, done: true });
  });

  it('throws a failure after the events already queued, then is done', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const iterator = streams.iterable(feed.start, undefined)[Symbol.asyncIterator]();
    feed.sinks[0]?.push(added('a'));
    feed.sinks[0]?.fail(new Error('member broke'));
    expect((await iterator.next()).value).toEqual(added('snapshot'));
    expect((await iterator.next()).value).toEqual(added('a'));
    await expect(iterator.next()).rejects.toThrow('member broke');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a waiting consumer with a failure', async () => {
    const streams = new WatchStreams();
    const feed = feeder();
    const iterator = streams.iterable(feed.start, undefined)[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    feed.sinks[0]?.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('turns a feeder that throws into a failed stream', async () => {
    const streams = new WatchStreams();
    const iterable = streams.iterable(() => {
      throw new Error('cannot start');
    }, undefined);
    const iterator = iterable[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow('cannot start');
    expect(streams.size).toBe(0);
  });

  it('holds the event loop only while a stream is open', async () => {
    const streams = new WatchStreams();
    const handles = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = handles();
    const iterator = streams.iterable(feeder().start, undefined)[Symbol.asyncIterator]();
    expect(handles()).toBe(before + 1);
    await iterator.return?.();
    expect(handles()).toBe(before);
  });
});
