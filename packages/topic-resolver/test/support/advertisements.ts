import type { Advertisement } from '@seamless/transport';
import type { Resolver, ResolverEvent } from '../../src/resolver.js';

/** A valid advertisement; `overrides` replace top-level fields. */
export function makeAdvertisement(overrides: Partial<Advertisement> = {}): Advertisement {
  return {
    version: 1,
    topic: 'md.AAPL',
    publisherId: 'p-0123456789abcdef',
    policy: 'reliable',
    maxMessageSize: 65536,
    host: { bootId: 'boot', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[2]', hostname: 'h1' },
    addresses: ['10.0.0.1', '127.0.0.1'],
    endpoints: { tcp: { port: 40123, tls: false } },
    ...overrides,
  };
}

/** An event as a short string, for readable assertions: `added p1`, `removed p1 revoked`. */
export function describeEvent(event: ResolverEvent): string {
  return event.type === 'added' ? `added ${event.advertisement.publisherId}` : `removed ${event.advertisement.publisherId} ${event.reason}`;
}

/**
 * Iterates `events` in the background, recording each event; `next(n)` waits until at least
 * `n` events were seen in total (rejecting after `timeoutMs` as a guard against hangs).
 */
export class EventRecorder {
  readonly events: ResolverEvent[] = [];
  readonly done: Promise<void>;
  #waiters: { count: number; resolve: () => void }[] = [];

  constructor(events: AsyncIterable<ResolverEvent>) {
    this.done = (async () => {
      for await (const event of events) {
        this.events.push(event);
        this.#waiters = this.#waiters.filter((waiter) => {
          if (this.events.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      }
    })();
  }

  get described(): string[] {
    return this.events.map(describeEvent);
  }

  async until(count: number, timeoutMs = 10_000): Promise<string[]> {
    if (this.events.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`expected ${count} events within ${timeoutMs} ms, got ${JSON.stringify(this.described)}`));
        }, timeoutMs);
        this.#waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.described;
  }
}

/** Polls `check` until it returns true (rejecting after `timeoutMs` as a guard against hangs). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What {@link watchTopics} saw. */
export interface TopicsView {
  /** Topics reported added. */
  readonly added: Set<string>;
  /** Removals, as `topic reason`. */
  readonly removed: string[];
  /** Resolves once every topic was added. */
  readonly found: Promise<void>;
  /** The watches; they end when `signal` aborts. */
  readonly watches: Promise<void>[];
}

/** Watches `<prefix>.0` … `<prefix>.<count-1>` on `resolver` until `signal` aborts. */
export function watchTopics(resolver: Resolver, prefix: string, count: number, signal: AbortSignal): TopicsView {
  const added = new Set<string>();
  const removed: string[] = [];
  let allFound: () => void = () => undefined;
  const found = new Promise<void>((resolve) => (allFound = resolve));
  const watches = Array.from({ length: count }, async (_, index) => {
    for await (const event of resolver.watch(`${prefix}.${index}`, signal)) {
      if (event.type === 'added') added.add(event.advertisement.topic);
      else removed.push(`${event.advertisement.topic} ${event.reason}`);
      if (added.size === count) allFound();
    }
  });
  return { added, removed, found, watches };
}
