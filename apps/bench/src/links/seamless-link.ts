// Seamless through its facade, exactly as an application uses it: one bus per process
// (`createSeamless`), publishers and subscribers by topic. Discovery stays on this machine and
// inside this run: no multicast, a private registry directory, TCP listening on loopback only.
import { createSeamless } from '@seamless/seamless';
import type { Message, Publisher, Seamless, Subscriber, TransportKind } from '@seamless/seamless';
import type { LinkRequest, OpenedLink } from '../cases/bench-case.js';
import type { DataHandler, EventLink, SpinLink } from './link.js';

/** How a Seamless case runs. */
export interface SeamlessSettings {
  /** `true`: the default transports (shared memory chosen on this host); `false`: TCP only. */
  readonly shm: boolean;
  /** `'spin'`: the caller busy-polls `subscriber.poll()`; `'event'`: `message` events. */
  readonly style: 'spin' | 'event';
  /** The subscriber's idle strategy (`'spin'` for the spinning case, default `'park'`). */
  readonly idle: 'park' | 'spin';
  /** The publishers' `history` (default 0): what keeping messages for late joiners costs. */
  readonly history?: number;
  /**
   * Subscribe with a pattern (`<id>.a.*` for the topic `<id>.a.v`) among this many topics that
   * share its prefix and do not match (`<id>.a.<n>.x`), advertised by the sender: what a pattern
   * subscriber costs on a busy registry.
   */
  readonly patternAmong?: number;
}

const READY_TIMEOUT_MS = 15_000;

let bus: Promise<Seamless> | undefined;

function sharedBus(settings: SeamlessSettings, registry: string): Promise<Seamless> {
  bus ??= createSeamless({
    multicast: false,
    hostResolver: { directory: registry },
    tcp: { host: '127.0.0.1' },
    ...(settings.shm ? {} : { shm: false }),
  });
  return bus;
}

/** Closes the process's bus (before the peer exits). */
export async function closeSeamlessBus(): Promise<void> {
  const current = bus;
  bus = undefined;
  if (current !== undefined) await (await current).close();
}

/**
 * Opens one side: the sender publishes `<id>.a` and the receivers publish `<id>.b` in a round
 * trip; in streaming and fan-out only the sender publishes. The address is unused (topics
 * meet through the registry).
 */
export async function openSeamlessLink(request: LinkRequest, settings: SeamlessSettings): Promise<OpenedLink> {
  const seamless = await sharedBus(settings, request.directories.registry);
  const roundTrip = request.measure === 'round-trip';
  const sender = request.role === 'sender';
  const pattern = settings.patternAmong !== undefined;
  // With a pattern: `<id>.a.v` is published and `<id>.a.*` subscribed to.
  const topicOf = (side: 'a' | 'b'): string => (pattern ? `${request.id}.${side}.v` : `${request.id}.${side}`);
  const subscribedOf = (side: 'a' | 'b'): string => (pattern ? `${request.id}.${side}.*` : `${request.id}.${side}`);
  const outTopic = sender ? topicOf('a') : roundTrip ? topicOf('b') : undefined;
  const inTopic = sender ? (roundTrip ? subscribedOf('b') : undefined) : subscribedOf('a');
  const expected: TransportKind = settings.shm ? 'shm' : 'tcp';
  if (sender && settings.patternAmong !== undefined) await advertiseAround(seamless, request.id, settings.patternAmong);
  const publisher = outTopic === undefined ? undefined : await seamless.publisher(outTopic, { history: settings.history ?? 0 });
  const subscriber = inTopic === undefined ? undefined : await seamless.subscriber(inTopic, { idle: settings.idle });
  const subscribers = sender ? request.receivers : 1;
  const route = subscriber === undefined ? waitForSubscribers(publisher, subscribers) : routeOf(subscriber, expected);
  // Nothing may reject unobserved before ready() is called.
  route.catch(() => undefined);
  const base = {
    route: expected === 'shm' ? 'shm' : 'tcp 127.0.0.1',
    async ready(): Promise<void> {
      await route;
      if (publisher !== undefined) await publisher.waitForSubscribers(subscribers, { timeoutMs: READY_TIMEOUT_MS });
    },
    async close(): Promise<void> {
      await subscriber?.close();
      await publisher?.close();
    },
  };
  const send = (data: Uint8Array): boolean => {
    if (publisher === undefined) throw new Error('this side only receives');
    return publisher.send(data);
  };
  if (settings.style === 'spin') {
    let current: DataHandler = () => undefined;
    const onMessage = (message: Message): void => {
      current(message.data);
    };
    const link: SpinLink = {
      ...base,
      style: 'spin',
      send,
      poll(handler) {
        if (subscriber === undefined) throw new Error('this side only sends');
        current = handler;
        return subscriber.poll(onMessage);
      },
    };
    return { link, address: request.id };
  }
  const link: EventLink = {
    ...base,
    style: 'event',
    send,
    async drained() {
      await publisher?.drained();
    },
    listen(handler) {
      if (subscriber === undefined) throw new Error('this side only sends');
      subscriber.on('message', (message) => {
        handler(message.data);
      });
    },
  };
  return { link, address: request.id };
}

// Advertises `count` topics next to `<id>.a.v` that `<id>.a.*` does not match (one level too
// many) on the bus's resolver, as other publishers on the host would: registry entries the
// pattern subscriber's resolver must look at and pass over. No transport serves them.
async function advertiseAround(seamless: Seamless, id: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await seamless.resolver.advertise({
      version: 1,
      topic: `${id}.a.${index}.x`,
      publisherId: `p-around-${index}`,
      policy: 'latest',
      maxMessageSize: 64,
      host: seamless.identity,
      addresses: ['127.0.0.1'],
      endpoints: {},
    });
  }
}

async function waitForSubscribers(publisher: Publisher | undefined, count: number): Promise<void> {
  await publisher?.waitForSubscribers(count, { timeoutMs: READY_TIMEOUT_MS });
}

// Resolves when the subscriber found the publisher, and checks it took the expected transport
// (a shared-memory case that silently ran over TCP would make the table lie).
function routeOf(subscriber: Subscriber, expected: TransportKind): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): boolean => {
      const [route] = subscriber.routes();
      if (route === undefined) return false;
      clearTimeout(timer);
      subscriber.off('publisher-added', check);
      if (route.transport === expected) resolve();
      else reject(new Error(`expected the ${expected} route, Seamless chose ${route.transport}: ${route.reason}`));
      return true;
    };
    const timer = setTimeout(() => {
      subscriber.off('publisher-added', check);
      reject(new Error(`no publisher found for "${subscriber.topic}" within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    subscriber.on('publisher-added', check);
    check();
  });
}
