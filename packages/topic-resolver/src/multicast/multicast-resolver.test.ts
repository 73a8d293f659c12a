import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EventRecorder, makeAdvertisement, waitUntil } from '../../test/support/advertisements.js';
import { settle, trackResources } from '../../test/support/live-resources.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import { AdvertisementDigest, advertisementHash } from './advertisement-digest.js';
import { DATAGRAM_HEADER_BYTES, decodeDatagram, encodeDatagram } from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';
import { MulticastResolver } from './multicast-resolver.js';
import type { MulticastResolverOptions } from './multicast-resolver-options.js';

// Everything here stays on the loopback interface: each test uses its own random group and a
// port below the ephemeral range, and joins and sends on 127.0.0.1 only.
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

/** A plain socket that sends raw bytes to the group over loopback. */
async function rawSender(network: { group: string; port: number }): Promise<(bytes: Uint8Array) => Promise<void>> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.bind({ port: 0, address: loopback });
  await once(socket, 'listening');
  socket.setMulticastInterface(loopback);
  return (bytes) =>
    new Promise((resolve, reject) => {
      socket.send(bytes, network.port, network.group, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
}

/** A plain socket that records every valid datagram sent to the group over loopback. */
async function rawListener(network: { group: string; port: number }): Promise<Datagram[]> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(socket);
  const seen: Datagram[] = [];
  socket.on('message', (bytes) => {
    const decoded = decodeDatagram(bytes);
    if (!('problem' in decoded)) seen.push(decoded);
  });
  socket.bind({ port: network.port, address: network.group });
  await once(socket, 'listening');
  socket.addMembership(network.group, loopback);
  return seen;
}

const ids = (list: readonly { publisherId: string }[]) => list.map((advertisement) => advertisement.publisherId).sort();

describe('MulticastResolver on loopback', () => {
  it('lets a resolver started later find an existing publisher through the start-up query', async () => {
    const network = randomGroup();
    const publisher = open(network, { announceIntervalMs: 60_000, leaseMs: 120_000 });
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    // With announcements a minute apart, only the answer to the query can tell the newcomer.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const subscriber = open(network);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    expect(subscriber.stats).toMatchObject({ available: true, invalid: 0 });
  });

  it('reports announcements, changes and goodbyes to watchers', async () => {
    const network = randomGroup();
    const publisher = open(network);
    const subscriber = open(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const lease = await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    await watcher.until(1);
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1', maxMessageSize: 9 }));
    await watcher.until(3);
    await publisher.advertise(makeAdvertisement({ publisherId: 'p2', topic: 'other' }));
    const replaced = await publisher.advertise(makeAdvertisement({ publisherId: 'p1', maxMessageSize: 10 }));
    await watcher.until(5);
    await lease.revoke(); // superseded: no goodbye
    await replaced.revoke();
    expect(await watcher.until(6)).toEqual([
      'added p1',
      'removed p1 replaced',
      'added p1',
      'removed p1 replaced',
      'added p1',
      'removed p1 revoked',
    ]);
    expect(ids(await subscriber.resolve('other'))).toEqual(['p2']);
  });

  it('sees its own advertisements without the network and ignores its own datagrams', async () => {
    const network = randomGroup();
    const resolver = open(network, { announceIntervalMs: 50, leaseMs: 200 });
    const watcher = new EventRecorder(resolver.watch('md.AAPL'));
    await resolver.advertise(makeAdvertisement({ publisherId: 'mine' }));
    expect(await watcher.until(1)).toEqual(['added mine']);
    await waitUntil(() => resolver.stats.sent > 6, 5000, 'several announcements');
    expect(resolver.stats.received).toBe(0);
    expect(ids(await resolver.resolve('md.AAPL'))).toEqual(['mine']);
    expect(watcher.described).toEqual(['added mine']);
  });

  it('expires an advertisement that is not renewed within its lease', async () => {
    const network = randomGroup();
    const subscriber = open(network);
    const send = await rawSender(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const checked = checkAdvertisement(makeAdvertisement({ publisherId: 'crashed' }));
    await send(
      encodeDatagram({ kind: 'announce', sender: 'aaaaaaaaaaaaaaaa', sequence: 1, leaseMs: 300, round: 0, advertisements: [checked] }),
    );
    expect(await watcher.until(2)).toEqual(['added crashed', 'removed crashed expired']);
    expect(subscriber.stats.expired).toBe(1);
  });

  it('accepts a goodbye only from the announcing instance, and ignores announcements it overtook', async () => {
    const network = randomGroup();
    const subscriber = open(network);
    const send = await rawSender(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const checked = checkAdvertisement(makeAdvertisement({ publisherId: 'p1' }));
    const owner = 'aaaaaaaaaaaaaaaa';
    const goodbye = { kind: 'goodbye', withdrawn: [{ topic: 'md.AAPL', publisherId: 'p1' }] } as const;
    await send(encodeDatagram({ kind: 'announce', sender: owner, sequence: 10, leaseMs: 60_000, round: 0, advertisements: [checked] }));
    await watcher.until(1);
    await send(encodeDatagram({ ...goodbye, sender: 'bbbbbbbbbbbbbbbb', sequence: 99 }));
    await send(encodeDatagram({ ...goodbye, sender: owner, sequence: 9 }));
    await send(encodeDatagram({ ...goodbye, sender: owner, sequence: 11 }));
    await watcher.until(2);
    // A late copy of an earlier announcement must not bring it back.
    await send(encodeDatagram({ kind: 'announce', sender: owner, sequence: 10, leaseMs: 60_000, round: 0, advertisements: [checked] }));
    await send(encodeDatagram({ kind: 'announce', sender: owner, sequence: 12, leaseMs: 60_000, round: 0, advertisements: [checked] }));
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 revoked', 'added p1']);
    await waitUntil(() => subscriber.stats.received === 6, 5000, 'all datagrams');
    expect(watcher.described).toHaveLength(3);
  });

  it('answers a query with the advertisements of that topic only', async () => {
    const network = randomGroup();
    const publisher = open(network, { announceIntervalMs: 60_000, leaseMs: 120_000 });
    await publisher.advertise(makeAdvertisement({ publisherId: 'a1' }));
    await publisher.advertise(makeAdvertisement({ publisherId: 'b1', topic: 'other' }));
    await new Promise((resolve) => setTimeout(resolve, 400)); // the start-up bursts are over
    const seen = await rawListener(network);
    const send = await rawSender(network);
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 1, scope: { topic: 'other' } }));
    await waitUntil(() => seen.some((datagram) => datagram.kind === 'announce'), 5000, 'an answer');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = seen.flatMap((datagram) =>
      datagram.kind === 'announce' ? datagram.advertisements.map((entry) => entry.advertisement.publisherId) : [],
    );
    expect(answers).toEqual(['b1']);
  });

  it('ignores and counts fuzzed datagrams without reporting anything', async () => {
    const network = randomGroup();
    const subscriber = open(network);
    const send = await rawSender(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 1400 }),
        fc.jsonValue().map((value) => Buffer.concat([Buffer.from('SMLR\u0002\u0001'), Buffer.from(JSON.stringify(value))])),
        fc.anything().map((value) => {
          const payload = Buffer.from((JSON.stringify({ leaseMs: 1000, round: 0, advertisements: [value] }) as string | undefined) ?? 'x');
          const header = Buffer.alloc(20);
          header.write('SMLR', 0, 'latin1');
          header.writeUInt8(2, 4);
          header.writeUInt8(1, 5);
          header.writeUInt16BE(payload.byteLength & 0xffff, 6);
          return Buffer.concat([header, payload]);
        }),
      ),
      300,
    );
    for (const [index, bytes] of samples.entries()) {
      await send(bytes);
      // Paced so that the socket's receive buffer never overflows.
      if (index % 20 === 0) await waitUntil(() => subscriber.stats.received === index + 1, 5000, 'the datagram');
    }
    await waitUntil(() => subscriber.stats.received === samples.length, 5000, 'every datagram');
    expect(subscriber.stats.invalid).toBe(samples.length);
    expect(subscriber.stats.lastInvalid).toBeTypeOf('string');
    await send(
      encodeDatagram({
        kind: 'announce',
        sender: 'dddddddddddddddd',
        sequence: 1,
        leaseMs: 60_000,
        round: 0,
        advertisements: [checkAdvertisement(makeAdvertisement())],
      }),
    );
    expect(await watcher.until(1)).toHaveLength(1);
  });

  it('keeps at most maxAdvertisements from the network and counts the rest', async () => {
    const network = randomGroup();
    const warnings: string[] = [];
    const subscriber = open(network, { maxAdvertisements: 2, logger: { warn: (message) => warnings.push(message) } });
    const send = await rawSender(network);
    for (const publisherId of ['p1', 'p2', 'p3']) {
      const checked = checkAdvertisement(makeAdvertisement({ publisherId }));
      await send(
        encodeDatagram({ kind: 'announce', sender: 'eeeeeeeeeeeeeeee', sequence: 1, leaseMs: 60_000, round: 0, advertisements: [checked] }),
      );
    }
    await waitUntil(() => subscriber.stats.received === 3, 5000, 'three announcements');
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1', 'p2']);
    expect(subscriber.stats.dropped).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('holds maxAdvertisements (2) advertisements') as string]);
  });

  it('warns once and keeps working in-process when it cannot use the interface', async () => {
    const warnings: string[] = [];
    const resolver = open(randomGroup(), { interfaces: ['192.0.2.123'], logger: { warn: (message) => warnings.push(message) } });
    const lease = await resolver.advertise(makeAdvertisement({ publisherId: 'p1' }));
    expect(ids(await resolver.resolve('md.AAPL'))).toEqual(['p1']);
    await lease.revoke();
    expect(await resolver.resolve('md.AAPL')).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('is unavailable');
    expect(warnings[0]).toContain('interface(s) 192.0.2.123');
    expect(resolver.stats.available).toBe(false);
  });

  it('uses the interfaces that work when another one does not', async () => {
    const network = randomGroup();
    const warnings: string[] = [];
    const publisher = open(network, { interfaces: ['192.0.2.123', loopback], logger: { warn: (message) => warnings.push(message) } });
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    const subscriber = open(network);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('192.0.2.123');
  });

  it('validates options with clear errors', () => {
    const refusal = (options: MulticastResolverOptions) => {
      try {
        open(randomGroup(), options);
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal({ group: '10.0.0.1' }).message).toContain('group must be an IPv4 multicast address (224.0.0.0/4), got "10.0.0.1"');
    expect(refusal({ interfaces: ['no-such-interface0'] }).message).toContain(
      'interfaces must be IPv4 addresses or names of interfaces with an IPv4 address here (interfaces: ',
    );
    expect(refusal({ interfaces: ['no-such-interface0'] }).message).toMatch(/\), got "no-such-interface0"$/);
    expect(refusal({ interfaces: [] }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(refusal({ announceIntervalMs: 1000, leaseMs: 1000 }).message).toContain('leaseMs must be an integer from 1001');
    expect(refusal({ port: 0 }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(() => open(randomGroup(), { interfaces: ['lo'] })).not.toThrow();
  });

  it('rejects a resolve() that a close() overtakes during start-up, quietly', async () => {
    const warnings: unknown[] = [];
    const onWarning = (warning: unknown) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const resolver = new MulticastResolver({ ...randomGroup(), interfaces: [loopback] });
      const resolving = resolver.resolve('md.AAPL');
      await resolver.close();
      await expect(resolving).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      await settle();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses everything after close, and close leaves no sockets or timers', async () => {
    const resources = trackResources();
    try {
      const resolver = new MulticastResolver({ ...randomGroup(), interfaces: [loopback], announceIntervalMs: 20, leaseMs: 100 });
      await resolver.advertise(makeAdvertisement());
      const watcher = new EventRecorder(resolver.watch('md.AAPL'));
      await watcher.until(1);
      await resolver.resolve('md.AAPL');
      expect(resources.live()).toEqual(expect.arrayContaining(['UDPWRAP', 'UDPWRAP', 'Timeout']));
      await resolver.close();
      await resolver.close();
      await watcher.done;
      expect(await resources.settledLive(), resources.details()).toEqual([]);
      await expect(resolver.resolve('md.AAPL')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      await expect(resolver.advertise(makeAdvertisement())).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      expect(() => resolver.watch('md.AAPL')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }) as Error);
    } finally {
      resources.stop();
    }
  });

  it('announces each advertisement once and then renews all of them by one heartbeat per interval', async () => {
    const network = randomGroup();
    const seen = await rawListener(network);
    const publisher = open(network, { announceIntervalMs: 50, leaseMs: 400 });
    for (let index = 0; index < 5; index++) await publisher.advertise(makeAdvertisement({ publisherId: `p${index}` }));
    await waitUntil(() => seen.filter((datagram) => datagram.kind === 'heartbeat').length >= 10, 10_000, 'ten heartbeats');
    const announced = seen.flatMap((datagram) => (datagram.kind === 'announce' ? datagram.advertisements : []));
    expect(announced.map((entry) => entry.advertisement.publisherId).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(seen.filter((datagram) => datagram.kind === 'heartbeat').at(-1)).toMatchObject({ ...claimOf(announced), round: 0 });
    // Still alive well past its lease, from heartbeats alone.
    const subscriber = open(network);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    await waitUntil(() => subscriber.stats.received > 20, 10_000, 'more heartbeats');
    expect(ids(await subscriber.resolve('md.AAPL'))).toHaveLength(5);
    expect(subscriber.stats).toMatchObject({ expired: 0, repairs: 0, invalid: 0 });
  });

  it('re-announces everything to a peer that asks for it, then names the round complete', async () => {
    const network = randomGroup();
    const seen = await rawListener(network);
    const publisher = open(network, { announceIntervalMs: 60_000, leaseMs: 120_000 });
    for (let index = 0; index < 40; index++) await publisher.advertise(makeAdvertisement({ publisherId: `p${index}` }));
    await waitUntil(() => seen.some((datagram) => datagram.kind === 'announce'), 5000, 'the first announcements');
    const sender = seen.find((datagram) => datagram.kind === 'announce')?.sender ?? '';
    const send = await rawSender(network);
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 1, scope: { sender } }));
    await waitUntil(() => seen.some((datagram) => datagram.kind === 'heartbeat' && datagram.round === 1), 5000, 'the end of the round');
    const round = seen.flatMap((datagram) => (datagram.kind === 'announce' && datagram.round === 1 ? datagram.advertisements : []));
    expect(round).toHaveLength(40);
    expect(seen.find((datagram) => datagram.kind === 'heartbeat' && datagram.round === 1)).toMatchObject({
      ...claimOf(round),
      running: false,
    });
    expect(publisher.stats.rounds).toBe(1);
    // A query for another sender is not ours to answer.
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 2, scope: { sender: 'dddddddddddddddd' } }));
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 3, scope: { everything: true } }));
    await waitUntil(() => publisher.stats.rounds === 2, 5000, 'the round for everyone');
  });

  it('notices from a heartbeat that it missed an announcement, asks that sender, and catches up', async () => {
    const network = randomGroup();
    const subscriber = open(network, { announceIntervalMs: 100 });
    const seen = await rawListener(network);
    const send = await rawSender(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const owner = 'aaaaaaaaaaaaaaaa';
    const [p0, p1, p2] = ['p0', 'p1', 'p2'].map((publisherId) => checkAdvertisement(makeAdvertisement({ publisherId }))) as [
      CheckedAdvertisement,
      CheckedAdvertisement,
      CheckedAdvertisement,
    ];
    await send(encodeDatagram({ kind: 'announce', sender: owner, sequence: 1, leaseMs: 60_000, round: 0, advertisements: [p0, p2] }));
    // p1's announcement was lost, and so was the goodbye of p2.
    // Heartbeats every 50 ms, as the sender would; the first ones fall in the subscriber's
    // start-up, when it waits for the answers to its own query.
    const asked = () => seen.find((datagram) => datagram.kind === 'query' && 'sender' in datagram.scope);
    for (let sequence = 4; asked() === undefined; sequence++) {
      await send(
        encodeDatagram({ kind: 'heartbeat', sender: owner, sequence, leaseMs: 60_000, ...claimOf([p0, p1]), round: 0, running: false }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(asked()).toMatchObject({ scope: { sender: owner } });
    expect(subscriber.stats.repairs).toBe(1);
    await send(encodeDatagram({ kind: 'announce', sender: owner, sequence: 1000, leaseMs: 60_000, round: 1, advertisements: [p0, p1] }));
    await send(
      encodeDatagram({ kind: 'heartbeat', sender: owner, sequence: 1001, leaseMs: 60_000, ...claimOf([p0, p1]), round: 1, running: false }),
    );
    expect(await watcher.until(4)).toEqual(['added p0', 'added p2', 'added p1', 'removed p2 revoked']);
    expect(subscriber.stats).toMatchObject({ invalid: 0 });
  });

  it('says one goodbye for all of its advertisements when it closes', async () => {
    const network = randomGroup();
    const publisher = open(network);
    const subscriber = open(network);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    for (let index = 0; index < 50; index++) await publisher.advertise(makeAdvertisement({ publisherId: `p${index}` }));
    await watcher.until(50);
    const seen = await rawListener(network);
    await publisher.close();
    const events = await watcher.until(100);
    expect(events.slice(50).every((event) => event.endsWith(' revoked'))).toBe(true);
    await waitUntil(() => seen.some((datagram) => datagram.kind === 'goodbye'), 5000, 'the goodbye');
    expect(seen.filter((datagram) => datagram.kind === 'goodbye')).toEqual([expect.objectContaining({ withdrawn: 'all' })]);
  });
});

describe('MulticastResolver patterns on loopback', () => {
  const topicsOf = (list: readonly { topic: string; publisherId: string }[]) =>
    list.map((advertisement) => `${advertisement.topic} ${advertisement.publisherId}`).sort();
  const queriesOf = (seen: readonly Datagram[], sender?: string) =>
    seen.flatMap((datagram) => (datagram.kind === 'query' && (sender === undefined || datagram.sender === sender) ? [datagram.scope] : []));
  const announcedIn = (seen: readonly Datagram[]) =>
    seen.flatMap((datagram) =>
      datagram.kind === 'announce' ? datagram.advertisements.map((entry) => entry.advertisement.publisherId) : [],
    );

  it('watches a pattern: snapshot, later announcements, changes, goodbyes and expiry, with concrete topics, and nothing else', async () => {
    const network = randomGroup();
    const publisher = open(network);
    const subscriber = open(network);
    for (const [topic, publisherId] of [
      ['md.AAPL', 'aapl'],
      ['md.us.IBM', 'ibm'],
      ['md/MSFT', 'slash'],
      ['md', 'bare'],
      ['fx.EUR', 'fx'],
    ] as const) {
      await publisher.advertise(makeAdvertisement({ topic, publisherId }));
    }
    await waitUntil(async () => (await subscriber.resolve('>')).length === 5, 10_000, 'the subscriber to hear everything');
    expect(topicsOf(await subscriber.resolve('md.*'))).toEqual(['md.AAPL aapl']);
    expect(topicsOf(await subscriber.resolve('md.>'))).toEqual(['md.AAPL aapl', 'md.us.IBM ibm']);
    expect(topicsOf(await subscriber.resolve('md/*'))).toEqual(['md/MSFT slash']);
    expect(topicsOf(await subscriber.resolve('*'))).toEqual(['md bare']);
    const controller = new AbortController();
    const oneLevel = new EventRecorder(subscriber.watch('md.*', controller.signal));
    const rest = new EventRecorder(subscriber.watch('md.>', controller.signal));
    expect(await oneLevel.until(1)).toEqual(['added aapl']);
    expect((await rest.until(2)).sort()).toEqual(['added aapl', 'added ibm']);
    const later = await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md.eu.SAP', publisherId: 'deep' }));
    await publisher.advertise(makeAdvertisement({ topic: 'fx.USD', publisherId: 'never' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md/AAPL', publisherId: 'never-slash' }));
    await oneLevel.until(2);
    await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later', maxMessageSize: 9 }));
    await oneLevel.until(4);
    await later.revoke(); // superseded: no goodbye
    await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'gone' }));
    await oneLevel.until(5);
    const replaced = publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later', maxMessageSize: 10 }));
    await oneLevel.until(7);
    await (await replaced).revoke(); // a goodbye
    await oneLevel.until(8);
    // A peer that stops renewing: its matching advertisement expires.
    const send = await rawSender(network);
    const crashed = checkAdvertisement(makeAdvertisement({ topic: 'md.crashed', publisherId: 'crashed' }));
    await send(
      encodeDatagram({ kind: 'announce', sender: 'aaaaaaaaaaaaaaaa', sequence: 1, leaseMs: 300, round: 0, advertisements: [crashed] }),
    );
    expect(await oneLevel.until(10)).toEqual([
      'added aapl',
      'added later',
      'removed later replaced',
      'added later',
      'added gone',
      'removed later replaced',
      'added later',
      'removed later revoked',
      'added crashed',
      'removed crashed expired',
    ]);
    expect(new Set(oneLevel.events.map((event) => event.advertisement.topic))).toEqual(new Set(['md.AAPL', 'md.MSFT', 'md.crashed']));
    const restEvents = await rest.until(12);
    expect(restEvents.filter((event) => event.endsWith(' deep'))).toEqual(['added deep']);
    expect(restEvents.filter((event) => !event.endsWith(' deep') && !event.endsWith(' ibm'))).toEqual(oneLevel.described);
    expect(rest.events.find((event) => event.advertisement.topic === 'md.eu.SAP')?.advertisement.topic).toBe('md.eu.SAP');
    controller.abort();
    await Promise.all([oneLevel.done, rest.done]);
    expect(oneLevel.described).toHaveLength(10);
  });

  it('answers a pattern query with its matching advertisements only, and with nothing when none match', async () => {
    const network = randomGroup();
    const seen = await rawListener(network);
    const publisher = open(network, { announceIntervalMs: 60_000, leaseMs: 120_000 });
    await publisher.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'a1' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md.us.IBM', publisherId: 'b1' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md/MSFT', publisherId: 'c1' }));
    await publisher.advertise(makeAdvertisement({ topic: 'fx.EUR', publisherId: 'd1' }));
    // Its start-up queries (three, nobody answers) and its announcement are out.
    await waitUntil(() => queriesOf(seen).length === 3 && announcedIn(seen).length === 4, 5000, 'the start-up traffic');
    const send = await rawSender(network);
    const from = seen.length;
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 1, scope: { topic: 'md.>' } }));
    await waitUntil(() => announcedIn(seen.slice(from)).length >= 2, 5000, 'an answer');
    const next = seen.length;
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 2, scope: { topic: 'nothing.*' } }));
    // A sentinel: once its answer is here, an answer to the query before it would be too.
    await send(encodeDatagram({ kind: 'query', sender: 'cccccccccccccccc', sequence: 3, scope: { topic: '*.EUR' } }));
    await waitUntil(() => announcedIn(seen.slice(next)).length >= 1, 5000, 'the sentinel answer');
    expect(announcedIn(seen.slice(from, next)).sort()).toEqual(['a1', 'b1']);
    expect(announcedIn(seen.slice(next))).toEqual(['d1']);
    expect(publisher.stats.rounds).toBe(0);
  });

  it('sends one query carrying the pattern when a pattern watch starts, shared by watches started together; none for a topic watch', async () => {
    const network = randomGroup();
    const seen = await rawListener(network);
    const subscriber = open(network);
    await subscriber.resolve('md.AAPL'); // past its start-up
    await waitUntil(() => queriesOf(seen).length >= 1, 5000, 'the start-up query');
    const sender = seen.find((datagram) => datagram.kind === 'query')?.sender;
    const controller = new AbortController();
    const watchers = [
      ...['md.>', 'md.>', 'md.>', 'md.*', 'md.AAPL'].map((topic) => new EventRecorder(subscriber.watch(topic, controller.signal))),
    ];
    await waitUntil(() => queriesOf(seen, sender).some((scope) => 'topic' in scope && scope.topic === 'md.*'), 5000, 'the queries');
    // A later pattern watch's query comes after any query still queued.
    watchers.push(new EventRecorder(subscriber.watch('sentinel.*', controller.signal)));
    await waitUntil(() => queriesOf(seen, sender).some((scope) => 'topic' in scope && scope.topic === 'sentinel.*'), 5000, 'the sentinel');
    const topics = queriesOf(seen, sender).flatMap((scope) => ('topic' in scope ? [scope.topic] : []));
    expect(topics).toEqual(['md.>', 'md.*', 'sentinel.*']);
    const bytes = encodeDatagram({ kind: 'query', sender: sender ?? '', sequence: 1, scope: { topic: 'md.>' } }).byteLength;
    expect(bytes).toBe(DATAGRAM_HEADER_BYTES + '{"topic":"md.>"}'.length);
    controller.abort();
    await Promise.all(watchers.map((watcher) => watcher.done));
  });

  it('sends no query for a pattern watch started before its start-up query, which asks for everything', async () => {
    const network = randomGroup();
    const seen = await rawListener(network);
    const subscriber = open(network);
    const controller = new AbortController();
    const early = new EventRecorder(subscriber.watch('md.>', controller.signal));
    await subscriber.resolve('md.AAPL');
    const late = new EventRecorder(subscriber.watch('late.*', controller.signal));
    await waitUntil(() => queriesOf(seen).some((scope) => 'topic' in scope), 5000, 'the late query');
    expect(queriesOf(seen).filter((scope) => !('everything' in scope))).toEqual([{ topic: 'late.*' }]);
    controller.abort();
    await Promise.all([early.done, late.done]);
  });

  it('refuses invalid patterns and pattern advertisements; abort and close end pattern watches, leaving no sockets or timers', async () => {
    const resources = trackResources();
    try {
      const resolver = new MulticastResolver({ ...randomGroup(), interfaces: [loopback], announceIntervalMs: 20, leaseMs: 100 });
      for (const invalid of ['md.>.x', 'md.A*', 'md..*', '/md.*', 'md.#', '']) {
        expect(() => resolver.watch(invalid)).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
        await expect(resolver.resolve(invalid)).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
      }
      await expect(resolver.advertise(makeAdvertisement({ topic: 'md.*' }))).rejects.toMatchObject({ code: 'ERR_ADVERTISEMENT_INVALID' });
      await resolver.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'mine' }));
      const controller = new AbortController();
      const aborted = new EventRecorder(resolver.watch('md.>', controller.signal));
      const closed = new EventRecorder(resolver.watch('*.AAPL'));
      expect(await aborted.until(1)).toEqual(['added mine']);
      expect(await closed.until(1)).toEqual(['added mine']);
      controller.abort();
      await aborted.done;
      await resolver.close();
      await closed.done;
      expect(await resources.settledLive(), resources.details()).toEqual([]);
      expect(() => resolver.watch('md.>')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }) as Error);
      await expect(resolver.resolve('md.>')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    } finally {
      resources.stop();
    }
  });
});

function claimOf(list: readonly CheckedAdvertisement[]): { count: number; digest: number } {
  const digest = new AdvertisementDigest();
  for (const entry of list) digest.add(advertisementHash(entry.json));
  return { count: digest.count, digest: digest.digest };
}
