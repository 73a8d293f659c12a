// Unit tests of SocketSubscriptionImpl on real loopback sockets, against a stand-in publisher that
// completes the handshake and then writes whatever frames a test wants: reconnection after a
// broken connection, the lost counter, the maxMessageSize refusal and close() while connecting.
import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { Collector, until } from '../test/support.js';
import { connectToPublisher } from './connect-to-publisher.js';
import type { HandshakenConnection } from './connect-to-publisher.js';
import { encodeDataFrame } from './frame-encoder.js';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { encodeWelcome, isRejectable, parseHello } from './handshake.js';
import type { StreamStart } from './handshake.js';
import { nodeNetwork } from './socket-network.js';
import { SocketSubscriptionImpl } from './socket-subscription.js';

/** A listener on 127.0.0.1 that answers every HELLO with a WELCOME (unless `holding`) and keeps every accepted socket. */
class StandInPublisher {
  readonly sockets: Socket[] = [];
  /** Where each HELLO asked its stream to start, in arrival order. */
  readonly starts: StreamStart[] = [];
  /** Leaves HELLOs unanswered, so that connecting hangs in the handshake. */
  holding = false;
  /** What the WELCOME says comes first. */
  firstSequence: number | undefined;
  readonly #server = net.createServer((socket) => {
    this.sockets.push(socket);
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder({ peer: 'subscriber', maxMessageSize: 0, accept: FrameTypes.hello });
    const onData = (chunk: Buffer): void => {
      decoder.push(chunk);
      if (!decoder.next()) return;
      socket.off('data', onData);
      const hello = parseHello(decoder.buffer.subarray(decoder.start, decoder.end), 'subscriber');
      if (isRejectable(hello)) throw new Error(hello.rejected.text);
      this.starts.push(hello.start);
      if (!this.holding) {
        socket.write(encodeWelcome({ policy: 'reliable', heartbeatTimeoutMs: 0, maxMessageSize: 1000, firstSequence: this.firstSequence }));
      }
    };
    socket.on('data', onData);
  });

  /** How many HELLOs arrived. */
  get hellos(): number {
    return this.starts.length;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** The `index`-th socket accepted (0 for the first), once it is there. */
  async socket(index: number): Promise<Socket> {
    await until(() => this.sockets.length > index, `connection ${index} at the publisher`);
    const socket = this.sockets[index];
    if (socket === undefined) throw new Error(`no connection ${index}`);
    return socket;
  }

  /** One pass of connectToPublisher() to this listener, as the transport makes it. */
  connect(signal: AbortSignal, maxMessageSize = 1000, start: StreamStart = 'oldest'): Promise<HandshakenConnection> {
    return connectToPublisher({
      topic: 'md.AAPL',
      publisherId: 'p1',
      addresses: ['127.0.0.1'],
      port: this.port,
      tls: undefined,
      maxMessageSize,
      heartbeatTimeoutMs: 0,
      connectTimeoutMs: 10_000,
      network: nodeNetwork,
      start,
      pid: 0,
      hostname: '',
      signal,
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}

const publishers: StandInPublisher[] = [];
const subscriptions: SocketSubscriptionImpl[] = [];

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await Promise.all(publishers.splice(0).map((publisher) => publisher.close()));
});

async function publisher(): Promise<StandInPublisher> {
  const started = new StandInPublisher();
  publishers.push(started);
  await started.listen();
  return started;
}

/** What a test observes of one subscription besides its listener. */
interface Observed {
  readonly subscription: SocketSubscriptionImpl;
  readonly collector: Collector;
  /** A reconnection was scheduled (reconnectDelay draws its jitter then): what was queued and delivered at that moment. */
  readonly scheduled: { readonly queuedBytes: number; readonly delivered: number }[];
  readonly calls: {
    /** How often the subscription called `connect` (the first connection is not counted). */
    connects: number;
    /** How often it called `onClose`. */
    closes: number;
  };
}

/**
 * A subscription to `standIn` (refusing messages over `maxMessageSize`) with a stalled
 * {@link Collector} as its listener; it reconnects through `connect` (by default: to `standIn`).
 */
async function subscribe(
  standIn: StandInPublisher,
  options: {
    readonly maxMessageSize?: number;
    /** Whether the subscription asks for the publisher's history (default true). */
    readonly history?: boolean;
    readonly connect?: (signal: AbortSignal, start: StreamStart) => Promise<HandshakenConnection>;
  } = {},
): Promise<Observed> {
  const {
    maxMessageSize = 1000,
    history = true,
    connect = (signal: AbortSignal, start: StreamStart) => standIn.connect(signal, maxMessageSize, start),
  } = options;
  const first = await standIn.connect(new AbortController().signal, maxMessageSize, history ? 'oldest' : 'live');
  const collector = new Collector();
  collector.polling = false;
  const scheduled: Observed['scheduled'][number][] = [];
  const calls = { connects: 0, closes: 0 };
  const subscription = new SocketSubscriptionImpl(
    {
      topic: 'md.AAPL',
      publisherId: 'p1',
      listener: collector,
      copy: false,
      history,
      maxReceiveQueueBytes: 1 << 20,
      heartbeat: { intervalMs: 60_000, timeoutMs: 0 },
      reconnect: { initialDelayMs: 1, maxDelayMs: 5, jitter: 0, giveUpAfterMs: 60_000 },
      random: () => {
        scheduled.push({ queuedBytes: subscription.queuedBytes, delivered: collector.messages.length });
        return 0;
      },
      connect: (signal, start) => {
        calls.connects++;
        return connect(signal, start);
      },
      onClose: () => {
        calls.closes++;
      },
    },
    first,
  );
  collector.subscription = subscription;
  subscriptions.push(subscription);
  return { subscription, collector, scheduled, calls };
}

/** The messages `collector` received: each one's sequence number, and how many were lost before it. */
function received(collector: Collector): string[] {
  return collector.messages.map(({ seq, lost }) => (lost === 0 ? String(seq) : `${seq} after ${lost} lost`));
}

function frame(sequence: number, size = 10): Buffer {
  return encodeDataFrame(new Uint8Array(size).fill(sequence & 0xff), sequence);
}

/** Resolves once `socket` (the publisher's side of a connection) is closed. */
function closedByPeer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else
      socket.once('close', () => {
        resolve();
      });
  });
}

describe('SocketSubscriptionImpl', () => {
  it('after a broken connection, delivers what it had received, drops a partial frame, and reconnects only then', async () => {
    const standIn = await publisher();
    const observed = await subscribe(standIn);
    const { subscription, collector, scheduled } = observed;
    const first = await standIn.socket(0);
    first.write(Buffer.concat([frame(0), frame(1), frame(2), frame(3).subarray(0, 8)]));
    await until(() => subscription.queuedBytes === 3 * 23 + 8, 'three frames and a partial one');
    first.destroy();
    await until(() => !subscription.connected, 'the loss');
    // The consumer has not read yet: no reconnection, and what arrived is still queued.
    expect(scheduled).toEqual([]);
    expect(subscription.queuedBytes).toBe(3 * 23 + 8);
    expect(collector.readableCalls).toBe(1);

    collector.polling = true;
    collector.drain();
    // Consuming the old stream (and dropping its partial frame) is what schedules the reconnection.
    expect(scheduled).toEqual([{ queuedBytes: 0, delivered: 3 }]);
    await until(() => subscription.connected, 'the reconnection');
    expect(observed.calls.connects).toBe(1);
    const second = await standIn.socket(1);
    expect(standIn.hellos).toBe(2);
    second.write(frame(6));
    await until(() => collector.messages.length === 4, 'the message after the reconnection');
    expect(received(collector)).toEqual(['0', '1', '2', '6 after 3 lost']);
    expect(subscription.lost).toBe(3);
    expect(subscription.reconnects).toBe(1);
    expect(subscription.remote).toBe(`127.0.0.1:${standIn.port}`);
    expect(collector.ended_).toBeUndefined();
  });

  it('asks a reconnection for the message it expects next, so that the publisher can replay what it missed', async () => {
    const standIn = await publisher();
    const { subscription, collector } = await subscribe(standIn);
    collector.polling = true;
    (await standIn.socket(0)).write(Buffer.concat([frame(0), frame(1), frame(2)]));
    await until(() => collector.messages.length === 3, 'three messages');
    (await standIn.socket(0)).destroy();
    await until(() => standIn.hellos === 2 && subscription.connected, 'the reconnection');
    expect(standIn.starts).toEqual(['oldest', 3]);
    // The publisher replays 3 and 4 (what it retained), then goes on live.
    (await standIn.socket(1)).write(Buffer.concat([frame(3), frame(4), frame(5)]));
    await until(() => collector.messages.length === 6, 'the replay and the live message');
    expect(received(collector)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(subscription.lost).toBe(0);
  });

  it('before it has received anything, asks a reconnection for what it asked first: live only, or everything retained', async () => {
    for (const history of [false, true]) {
      const standIn = await publisher();
      const { subscription } = await subscribe(standIn, { history });
      (await standIn.socket(0)).destroy();
      await until(() => standIn.hellos === 2 && subscription.connected, 'the reconnection');
      expect(standIn.starts).toEqual(history ? ['oldest', 'oldest'] : ['live', 'live']);
    }
  });

  it('expects the first sequence the WELCOME names: a message dropped before the first one it receives counts as lost', async () => {
    const standIn = await publisher();
    standIn.firstSequence = 5;
    const { subscription, collector } = await subscribe(standIn, { history: false });
    collector.polling = true;
    (await standIn.socket(0)).destroy();
    // Nothing received yet, but the WELCOME said the stream starts at 5: the reconnection asks for 5.
    await until(() => standIn.hellos === 2 && subscription.connected, 'the reconnection');
    expect(standIn.starts).toEqual(['live', 5]);
    (await standIn.socket(1)).write(Buffer.concat([frame(7), frame(8)]));
    await until(() => collector.messages.length === 2, 'two messages');
    expect(received(collector)).toEqual(['7 after 2 lost', '8']);
    expect(subscription.lost).toBe(2);
  });

  it('counts the gaps in the sequence numbers as lost, but not a first message or numbers that go back', async () => {
    const standIn = await publisher();
    const { subscription, collector } = await subscribe(standIn);
    collector.polling = true;
    const socket = await standIn.socket(0);
    socket.write(Buffer.concat([100, 101, 104, 105, 109, 3, 4, 6].map((sequence) => frame(sequence))));
    await until(() => collector.messages.length === 8, 'eight messages');
    expect(received(collector)).toEqual(['100', '101', '104 after 2 lost', '105', '109 after 3 lost', '3', '4', '6 after 1 lost']);
    expect(subscription.lost).toBe(6);
  });

  it('refuses a DATA frame over maxMessageSize: delivers what came before, throws once, ends with ERR_MESSAGE_TOO_LARGE, never reconnects', async () => {
    const standIn = await publisher();
    const { subscription, collector, scheduled } = await subscribe(standIn, { maxMessageSize: 100 });
    const socket = await standIn.socket(0);
    // The oversized frame's header is enough to refuse it; its payload never comes.
    socket.write(Buffer.concat([frame(0, 100), frame(1, 101).subarray(0, 13)]));
    await until(() => collector.readableCalls === 1, 'readable');
    const sequences: number[] = [];
    expect(subscription.poll((message) => sequences.push(message.seq))).toBe(1);
    expect(sequences).toEqual([0]);
    expect(subscription.connected).toBe(false);
    let thrown: unknown;
    try {
      subscription.poll(() => sequences.push(-1));
    } catch (error) {
      thrown = error;
    }
    expect(SeamlessError.isInstance(thrown, 'ERR_MESSAGE_TOO_LARGE')).toBe(true);
    expect((thrown as SeamlessError).details).toMatchObject({ length: 101, maxMessageSize: 100 });
    expect(subscription.poll(() => sequences.push(-1))).toBe(0);
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.ended_).toBe(thrown);
    await closedByPeer(socket);
    expect(scheduled).toEqual([]);
    expect(sequences).toEqual([0]);
  });

  it('refuses an oversized frame at the head of the queue at once, from the first poll()', async () => {
    const standIn = await publisher();
    const { subscription, collector, scheduled } = await subscribe(standIn, { maxMessageSize: 100 });
    (await standIn.socket(0)).write(frame(0, 101).subarray(0, 13));
    await until(() => collector.readableCalls === 1, 'readable for the broken frame');
    expect(() => subscription.poll(() => undefined)).toThrow(/message of 101 bytes exceeds maxMessageSize 100$/);
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.ended_?.code).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(scheduled).toEqual([]);
  });

  it('close() while a reconnection hangs in the handshake aborts it and resolves once it is over', async () => {
    const standIn = await publisher();
    const observed = await subscribe(standIn);
    standIn.holding = true;
    (await standIn.socket(0)).destroy();
    await until(() => standIn.hellos === 2, 'the attempt to be in its handshake');
    const attempt = await standIn.socket(1);
    await observed.subscription.close();
    await closedByPeer(attempt);
    expect(observed.calls.closes).toBe(1);
    expect(observed.calls.connects).toBe(1);
    expect(observed.subscription.connected).toBe(false);
    expect(observed.subscription.reconnects).toBe(0);
    expect(() => observed.subscription.poll(() => undefined)).toThrow(/is closed$/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(observed.collector.ended_).toBeUndefined();
  });

  it('close() while connecting waits for the attempt and destroys a connection that completes after it', async () => {
    const standIn = await publisher();
    let release: (connection: HandshakenConnection) => void = () => undefined;
    const aborted: boolean[] = [];
    const observed = await subscribe(standIn, {
      connect: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => aborted.push(true));
          release = resolve;
        }),
    });
    observed.collector.polling = true;
    (await standIn.socket(0)).destroy();
    await until(() => observed.calls.connects === 1, 'the reconnection attempt');
    const late = await standIn.connect(new AbortController().signal);
    let closed = false;
    const closing = observed.subscription.close().then(() => {
      closed = true;
    });
    expect(aborted).toEqual([true]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(observed.calls.closes).toBe(0);
    release(late);
    await closing;
    expect(late.socket.destroyed).toBe(true);
    await closedByPeer(await standIn.socket(1));
    expect(observed.calls.closes).toBe(1);
    expect(observed.subscription.connected).toBe(false);
    expect(observed.subscription.reconnects).toBe(0);
  });
});
