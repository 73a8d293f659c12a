import type { Message } from '@seamless/seamless';
import { describe, expect, it } from 'vitest';
import { SubscriptionStreams } from './subscription-streams.js';
import type { SenderClock } from './subscription-streams.js';

const DOMAIN = 7;

function message(topic: string, publisherId: string, sentAt: number, clockDomain = DOMAIN): Message {
  return { topic, publisherId, data: new TextEncoder().encode(JSON.stringify({ sentAt, clockDomain })), seq: 0, transport: 'shm', lost: 0 };
}

// Decodes what message() encodes; anything else is malformed.
function decode(received: Message[]) {
  return (data: Message): SenderClock => {
    const sender = JSON.parse(new TextDecoder().decode(data.data)) as SenderClock;
    if (typeof sender.sentAt !== 'number') throw new Error('malformed');
    received.push(data);
    return sender;
  };
}

const route = (topic: string, publisherId: string) => ({ topic, publisherId, transport: 'shm', reason: 'same host' }) as const;

describe('SubscriptionStreams', () => {
  it("dispatches a pattern subscription's messages by topic, one row per stream with the routes of its topics", () => {
    const orders: Message[] = [];
    const stats: Message[] = [];
    const unknown: string[] = [];
    const streams = new SubscriptionStreams(
      [
        { identity: { id: 'orders', topic: 'algo.orders', from: 'algo', to: 'dashboard' }, handle: decode(orders) },
        { identity: { id: 'stats', topic: 'algo.stats', from: 'algo', to: 'dashboard' }, handle: decode(stats) },
      ],
      { clockDomain: DOMAIN, startMs: 0, onUnknownTopic: (topic) => unknown.push(topic) },
    );
    const routes = [route('algo.orders', 'o'), route('algo.stats', 's'), route('algo.heartbeat', 'h')];
    for (const each of routes) streams.attached(each, 1000);
    streams.receive(message('algo.orders', 'o', 2000), 2500);
    streams.receive(message('algo.stats', 's', 2000), 2100);
    streams.receive(message('algo.heartbeat', 'h', 2000), 2100);
    streams.receive(message('algo.heartbeat', 'h', 2001), 2100);
    expect(orders).toHaveLength(1);
    expect(stats).toHaveLength(1);
    expect(unknown).toEqual(['algo.heartbeat']);
    expect(streams.ignored).toBe(2);
    const [ordersRow, statsRow] = streams.rows(1000, routes);
    expect(ordersRow).toMatchObject({ id: 'orders', publishers: 1, total: 1, latency: { max: 500 } });
    expect(statsRow).toMatchObject({ id: 'stats', publishers: 1, total: 1, latency: { max: 100 } });
  });

  it('counts what was sent before the attachment as history, apart from the rate and the latency', () => {
    const ticks: Message[] = [];
    const streams = new SubscriptionStreams(
      [{ identity: { id: 'ticks-to-dashboard', topic: 'md.>', from: 'feed', to: 'dashboard' }, handle: decode(ticks) }],
      { clockDomain: DOMAIN, startMs: 0 },
    );
    const routes = ['AAPL', 'MSFT', 'BRK.B'].map((symbol) => route(`md.${symbol}`, symbol));
    for (const each of routes) streams.attached(each, 10_000);
    // Each symbol's last tick, sent long before: its publisher's history.
    for (const each of routes) streams.receive(message(each.topic, each.publisherId, 1000), 10_100);
    streams.receive(message('md.AAPL', 'AAPL', 10_050), 10_150);
    // From another host: not timed, and not to be told apart by its clock.
    streams.receive(message('md.MSFT', 'MSFT', 5, 99), 10_200);
    const [row] = streams.rows(1000, routes);
    expect(ticks).toHaveLength(5);
    expect(row).toMatchObject({
      topic: 'md.>',
      publishers: 3,
      topics: 3,
      total: 5,
      fromHistory: 3,
      rate: 2,
      latency: { count: 1, max: 100 },
    });
  });

  it('counts a message its stream cannot decode as malformed', () => {
    const streams = new SubscriptionStreams(
      [{ identity: { id: 'fills', topic: 'algo.fills', from: 'algo', to: 'dashboard' }, handle: decode([]) }],
      { clockDomain: DOMAIN, startMs: 0 },
    );
    streams.receive({ ...message('algo.fills', 'f', 1), data: new TextEncoder().encode('{}') }, 2);
    expect(streams.rows(1000, [])[0]).toMatchObject({ malformed: 1, total: 0, state: 'down' });
  });
});
