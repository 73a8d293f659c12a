import { afterEach, describe, expect, it } from 'vitest';
import { makeAdvertisement, waitUntil } from '../../test/support/advertisements.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import { LeaseBook } from '../lease-book.js';
import type { LeaseRecord } from '../lease-book.js';
import { AdvertisementDigest, advertisementHash } from './advertisement-digest.js';
import { BATCH_DATAGRAM_BYTES, decodeDatagram } from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';
import { MulticastOutbox } from './multicast-outbox.js';

interface Sent {
  readonly at: number;
  readonly bytes: number;
  readonly datagram: Datagram;
}

const outboxes: MulticastOutbox[] = [];
afterEach(() => {
  for (const outbox of outboxes.splice(0)) outbox.close();
});

function setUp(options: { bytesPerSecond?: number; burstBytes?: number } = {}) {
  const leases = new LeaseBook();
  const sent: Sent[] = [];
  const outbox = new MulticastOutbox({
    sender: '0123456789abcdef',
    leaseMs: 3500,
    bytesPerSecond: options.bytesPerSecond ?? 100 * 1024 * 1024,
    burstBytes: options.burstBytes ?? 64 * 1024,
    send: (bytes) => {
      const datagram = decodeDatagram(bytes);
      if ('problem' in datagram) throw new Error(datagram.problem);
      sent.push({ at: performance.now(), bytes: bytes.byteLength, datagram });
    },
    records: () => leases.records(),
    isCurrent: (record) => leases.isCurrent(record),
  });
  outboxes.push(outbox);
  const advertise = (count: number, from = 0): LeaseRecord[] =>
    Array.from({ length: count }, (_, index) => {
      const checked = checkAdvertisement(makeAdvertisement({ topic: `md.${from + index}`, publisherId: `p${from + index}` }));
      const record = leases.issue(checked, () => Promise.resolve());
      outbox.announce(record);
      return record;
    });
  const announced = () =>
    sent.flatMap(({ datagram }) =>
      datagram.kind === 'announce' ? datagram.advertisements.map((entry) => entry.advertisement.publisherId) : [],
    );
  const heartbeats = () => sent.flatMap(({ datagram }) => (datagram.kind === 'heartbeat' ? [datagram] : []));
  return { leases, sent, outbox, advertise, announced, heartbeats };
}

function digestOf(records: readonly LeaseRecord[]): { count: number; digest: number } {
  const digest = new AdvertisementDigest();
  for (const record of records) digest.add(advertisementHash(record.checked.json));
  return { count: digest.count, digest: digest.digest };
}

describe('MulticastOutbox', () => {
  it('packs what is advertised at one moment into few datagrams within the batch size', async () => {
    const { sent, advertise, announced, outbox } = setUp();
    advertise(300);
    await waitUntil(() => outbox.idle, 5000, 'everything sent');
    expect(announced()).toHaveLength(300);
    expect(new Set(announced()).size).toBe(300);
    for (const { bytes } of sent) expect(bytes).toBeLessThanOrEqual(BATCH_DATAGRAM_BYTES);
    // Each advertisement is ~300 bytes of JSON: four fit a datagram.
    expect(sent.length).toBeLessThanOrEqual(300 / 3);
  });

  it('never sends faster than its rate, beyond one burst', async () => {
    const bytesPerSecond = 200_000;
    const burstBytes = 16 * 1024;
    const { sent, advertise, outbox } = setUp({ bytesPerSecond, burstBytes });
    const started = performance.now();
    advertise(1000); // ~300 KB: 1.5 s at this rate
    await waitUntil(() => outbox.idle, 20_000, 'everything sent');
    let total = 0;
    for (const { at, bytes } of sent) {
      total += bytes;
      // A lower bound on time, so a busy machine can only make this easier.
      expect(total).toBeLessThanOrEqual(burstBytes + ((at - started) * bytesPerSecond) / 1000 + BATCH_DATAGRAM_BYTES);
    }
    expect(total).toBeGreaterThan(250_000);
  });

  it('sends heartbeats and queries before goodbyes, goodbyes before announcements', async () => {
    const { sent, advertise, outbox } = setUp();
    const [first] = advertise(1);
    await waitUntil(() => outbox.idle, 5000, 'the first announcement');
    sent.length = 0;
    advertise(5, 1);
    void first?.lease.revoke();
    outbox.withdraw(first?.checked.advertisement ?? { topic: '', publisherId: '' });
    outbox.query({ everything: true });
    outbox.heartbeat();
    await waitUntil(() => outbox.idle, 5000, 'everything sent');
    expect(sent.map(({ datagram }) => datagram.kind)).toEqual(['query', 'heartbeat', 'goodbye', 'announce']);
  });

  it('claims in its heartbeat exactly what it has sent, not what is still queued', async () => {
    const { outbox, advertise, heartbeats, leases } = setUp({ bytesPerSecond: 20_000, burstBytes: 2_000 });
    advertise(40);
    outbox.heartbeat(); // goes first: nothing of the 40 is sent yet
    await waitUntil(() => outbox.idle, 20_000, 'everything sent');
    outbox.heartbeat();
    await waitUntil(() => heartbeats().length === 2, 5000, 'the second heartbeat');
    const [early, late] = heartbeats();
    expect(early).toMatchObject({ count: 0, round: 0, running: false });
    expect(late).toMatchObject({ ...digestOf(leases.records()), round: 0, running: false });
  });

  it('withdraws only what it announced, and its digest follows goodbyes and changes', async () => {
    const { outbox, advertise, heartbeats, leases, sent } = setUp();
    const records = advertise(3);
    await waitUntil(() => outbox.idle, 5000, 'announced');
    await records[0]?.lease.revoke();
    outbox.withdraw(records[0]?.checked.advertisement ?? { topic: '', publisherId: '' });
    outbox.withdraw({ topic: 'never.announced', publisherId: 'x' });
    const changed = leases.issue(checkAdvertisement(makeAdvertisement({ topic: 'md.1', publisherId: 'p1', maxMessageSize: 7 })), () =>
      Promise.resolve(),
    );
    outbox.announce(changed);
    await waitUntil(() => outbox.idle, 5000, 'the goodbye and the change');
    outbox.heartbeat();
    await waitUntil(() => heartbeats().length === 1, 5000, 'the heartbeat');
    const goodbyes = sent.flatMap(({ datagram }) =>
      datagram.kind === 'goodbye' && datagram.withdrawn !== 'all' ? datagram.withdrawn : [],
    );
    expect(goodbyes).toEqual([{ topic: 'md.0', publisherId: 'p0' }]);
    expect(heartbeats()[0]).toMatchObject(digestOf(leases.records()));
  });

  it('runs a round of everything on request, once more when asked during one, then names it complete', async () => {
    const { outbox, advertise, sent, heartbeats, leases } = setUp({ bytesPerSecond: 400_000 });
    advertise(200);
    await waitUntil(() => outbox.idle, 10_000, 'announced');
    sent.length = 0;
    outbox.startRound();
    outbox.heartbeat();
    await waitUntil(() => sent.length > 3, 5000, 'the round under way');
    outbox.startRound(); // asked again while running: one more round, not two
    outbox.startRound();
    await waitUntil(() => outbox.idle, 20_000, 'both rounds');
    expect(outbox.rounds).toBe(2);
    const rounds = sent.flatMap(({ datagram }) => (datagram.kind === 'announce' ? [datagram.round] : []));
    expect(new Set(rounds)).toEqual(new Set([1, 2]));
    const perRound = (round: number) =>
      sent.flatMap(({ datagram }) => (datagram.kind === 'announce' && datagram.round === round ? datagram.advertisements : [])).length;
    expect([perRound(1), perRound(2)]).toEqual([200, 200]);
    // Built when sent: the end of round 1 is announced while round 2 already runs.
    expect(heartbeats().map(({ round, running }) => [round, running])).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
    expect(heartbeats()[2]).toMatchObject(digestOf(leases.records()));
  });

  it('says goodbye to everything at close only when it announced something, and then sends nothing', async () => {
    const quiet = setUp();
    expect(quiet.outbox.close()).toBeUndefined();
    const { outbox, advertise, sent } = setUp();
    advertise(2);
    const goodbye = outbox.close();
    expect(goodbye === undefined ? undefined : decodeDatagram(goodbye)).toMatchObject({ kind: 'goodbye', withdrawn: 'all' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
  });

  it('sends one query for queries of one scope queued together, and each again once sent', async () => {
    const { outbox, sent } = setUp();
    for (let index = 0; index < 5; index++) outbox.query({ topic: 'md.>' });
    outbox.query({ topic: 'md.*' });
    await waitUntil(() => sent.length === 2, 5000, 'the queries');
    outbox.query({ topic: 'md.>' });
    await waitUntil(() => sent.length === 3, 5000, 'the query again');
    expect(sent.map(({ datagram }) => (datagram.kind === 'query' ? datagram.scope : undefined))).toEqual([
      { topic: 'md.>' },
      { topic: 'md.*' },
      { topic: 'md.>' },
    ]);
  });
});
