import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { once } from 'node:events';
import { TopicPattern } from '@seamless/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeDatagram, MAX_QUERY_DATAGRAM_BYTES } from '../src/multicast/datagram-codec.js';
import type { Datagram } from '../src/multicast/datagram-codec.js';
import { MulticastResolver } from '../src/multicast/multicast-resolver.js';
import type { MulticastResolverOptions } from '../src/multicast/multicast-resolver-options.js';
import { EventRecorder, makeAdvertisement, waitUntil } from './support/advertisements.js';

// The traffic a pattern watch causes, with and without a thousand advertisements of other
// topics on the group. Everything stays on the loopback interface, on a random group and port
// per run (as in the other multicast tests); a plain socket joined to the group sees every
// datagram that any member receives.
const loopback = '127.0.0.1';
const resolvers: MulticastResolver[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  await Promise.all(resolvers.splice(0).map((resolver) => resolver.close()));
  for (const socket of sockets.splice(0)) socket.close();
});

function randomGroup(): { group: string; port: number } {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return { group: `239.255.${byte()}.${byte()}`, port: 20_000 + Math.floor(Math.random() * 10_000) };
}

function open(network: { group: string; port: number }, options: MulticastResolverOptions = {}): MulticastResolver {
  const resolver = new MulticastResolver({ ...network, interfaces: [loopback], ...options });
  resolvers.push(resolver);
  return resolver;
}

interface Seen {
  readonly datagram: Datagram;
  readonly bytes: number;
}

/** Every valid datagram sent to the group, with its size. */
async function sniff(network: { group: string; port: number }): Promise<Seen[]> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(socket);
  const seen: Seen[] = [];
  socket.on('message', (bytes) => {
    const datagram = decodeDatagram(bytes);
    if (!('problem' in datagram)) seen.push({ datagram, bytes: bytes.byteLength });
  });
  socket.bind({ port: network.port, address: network.group });
  await once(socket, 'listening');
  socket.addMembership(network.group, loopback);
  return seen;
}

const announced = (seen: readonly Seen[]) =>
  seen.flatMap(({ datagram }) => (datagram.kind === 'announce' ? datagram.advertisements.map((entry) => entry.advertisement) : []));

const matching = ['md.AAPL', 'md.MSFT', 'md.us.IBM'];
const pattern = 'md.>';

interface Traffic {
  /** Datagrams and bytes the watch caused: its queries and the announcements answering them. */
  readonly datagrams: number;
  readonly bytes: number;
  readonly queries: readonly Seen[];
  /** Advertisements announced while the watch was answered, by topic. */
  readonly topics: readonly string[];
  /** What announcing every advertisement once took: what asking for everything would cost again. */
  readonly everything: { readonly datagrams: number; readonly bytes: number };
}

async function patternWatchTraffic(nonMatching: number): Promise<Traffic> {
  const network = randomGroup();
  const seen = await sniff(network);
  // The subscriber first, alone: its start-up queries (three, nobody answers) are over before
  // anyone advertises, so no round of everything is ever asked for.
  const subscriber = open(network);
  await waitUntil(() => seen.filter(({ datagram }) => datagram.kind === 'query').length === 3, 10_000, 'the start-up queries');
  const subscriberId = seen[0]?.datagram.sender;
  // A minute between heartbeats: the publisher sends nothing but what it is asked for.
  const publisher = open(network, { announceIntervalMs: 60_000, leaseMs: 120_000 });
  for (const [index, topic] of matching.entries()) await publisher.advertise(makeAdvertisement({ topic, publisherId: `match-${index}` }));
  for (let index = 0; index < nonMatching; index++) {
    await publisher.advertise(makeAdvertisement({ topic: `other.topic-${index}`, publisherId: `other-${index}` }));
  }
  const total = matching.length + nonMatching;
  await waitUntil(async () => (await subscriber.resolve('>')).length === total, 60_000, 'the subscriber to hold every advertisement');
  const before = seen.filter(({ datagram }) => datagram.kind === 'announce');
  const from = seen.length;

  const controller = new AbortController();
  const watch = new EventRecorder(subscriber.watch(pattern, controller.signal));
  // The snapshot comes from the cache at once; the answers to the watch's query follow.
  expect((await watch.until(matching.length)).sort()).toEqual(['added match-0', 'added match-1', 'added match-2']);
  const answered = () => new Set(announced(seen.slice(from)).map((advertisement) => advertisement.topic));
  await waitUntil(() => matching.every((topic) => answered().has(topic)), 30_000, 'the answers to the pattern query');
  const window = seen.slice(from);
  const queries = window.filter(({ datagram }) => datagram.kind === 'query' && datagram.sender === subscriberId);
  const answers = window.filter(({ datagram }) => datagram.kind === 'announce');
  // The same content again: nothing new to report.
  expect(watch.described).toHaveLength(matching.length);
  controller.abort();
  await watch.done;
  return {
    datagrams: queries.length + answers.length,
    bytes: [...queries, ...answers].reduce((sum, { bytes }) => sum + bytes, 0),
    queries,
    topics: announced(answers).map((advertisement) => advertisement.topic),
    everything: { datagrams: before.length, bytes: before.reduce((sum, { bytes }) => sum + bytes, 0) },
  };
}

describe('MulticastResolver: the traffic of a pattern watch', () => {
  it('does not grow with the number of non-matching topics on the group: one query, and answers for matching advertisements only', async () => {
    const compiled = TopicPattern.parse(pattern);
    const none = await patternWatchTraffic(0);
    const thousand = await patternWatchTraffic(1000);
    for (const traffic of [none, thousand]) {
      expect(traffic.queries.map(({ datagram }) => (datagram.kind === 'query' ? datagram.scope : undefined))).toEqual([{ topic: pattern }]);
      expect(traffic.queries.every(({ bytes }) => bytes <= MAX_QUERY_DATAGRAM_BYTES)).toBe(true);
      // Only matching advertisements were announced in answer, never a round of everything.
      expect(traffic.topics.filter((topic) => !compiled.matches(topic))).toEqual([]);
      expect([...new Set(traffic.topics)].sort()).toEqual([...matching].sort());
    }
    expect(thousand.datagrams).toBeLessThanOrEqual(none.datagrams);
    expect(thousand.bytes).toBeLessThanOrEqual(none.bytes);
    // The alternative this rules out: a thousand advertisements take hundreds of datagrams.
    expect(thousand.everything.datagrams).toBeGreaterThan(10 * thousand.datagrams);
    console.log(
      `MulticastResolver, a watch of ${JSON.stringify(pattern)} matching ${matching.length} advertisements: ` +
        `with 0 non-matching topics it caused ${none.datagrams} datagrams (${none.bytes} bytes), ` +
        `with 1000 non-matching topics ${thousand.datagrams} datagrams (${thousand.bytes} bytes); ` +
        `announcing all ${matching.length + 1000} once took ${thousand.everything.datagrams} datagrams (${thousand.everything.bytes} bytes)`,
    );
  }, 120_000);
});
