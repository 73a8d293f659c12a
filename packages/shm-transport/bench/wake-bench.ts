// Wake-up benchmark: round trips between two processes that wait in their event loops (no
// spinning), 64-byte messages. Cases, all in one run:
//   shm park          the transport's default: parked reader, doorbell pipe watched by libuv
//   shm futex+tsfn    the alternative: a native thread in futex_wait wakes JS through a
//                     ThreadSafeFunction (bench/native/futex-waiter.cc, the benchmarks' addon)
//   shm spinMicros    { spinMicros: 200 } (only in the paced case)
//   tcp / unix        raw node:net ping-pong over loopback TCP and a Unix socket
// Two patterns: back-to-back round trips, and round trips paced at 10,000 per second.
// Run with `npm run bench:wake -w @seamless/shm-transport [-- --runs 5 --cpus 0,1]`.
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { Advertisement, IdleStrategy } from '@seamless/transport';
import { createShmTransport, parseShmEndpoint } from '../src/index.js';
import type { ShmPublication, ShmSubscription } from '../src/index.js';
import { openSegment } from '../src/os/native.js';
import { ownPresence } from '@seamless/local-addrs';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { RingReader } from '../src/ring/ring-reader.js';
import { readSegmentHeader } from '../src/ring/segment-header.js';
import { loadBenchBinding } from './bench-binding.js';

type Case = 'shm park' | 'shm futex+tsfn' | 'shm spinMicros' | 'tcp' | 'unix';
const MESSAGE_BYTES = 64;
// An unused word of the last reader slot serves as the futex word of the futex case.
const FUTEX_OFFSET = D.readerSlotsOffset + (D.readerSlotCount - 1) * D.readerSlotBytes + 64;
const uid = process.getuid?.() ?? 0;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}
const cpus = argument('cpus', '');
function pin(index: number): void {
  const list = cpus.split(',');
  const cpu = list[index] ?? list[0];
  if (cpus !== '' && cpu !== undefined) execFileSync('taskset', ['-pc', cpu, String(process.pid)], { stdio: 'ignore' });
}

function advertisementOf(publication: ShmPublication): Advertisement {
  return {
    version: 1,
    topic: publication.topic,
    publisherId: publication.publisherId,
    policy: 'reliable',
    maxMessageSize: publication.maxMessageSize,
    host: { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' },
    addresses: [],
    endpoints: { [publication.kind]: publication.endpoint },
  };
}

// One side of a shared-memory ping-pong: its own publication, and a subscription to the peer.
async function shmSide(kind: Case, onMessage: (data: Uint8Array) => void) {
  const transport = createShmTransport({ livenessIntervalMs: 1000 });
  const publication = await transport.openPublication({
    topic: 'bench.wake',
    publisherId: `p${process.pid}`,
    policy: 'reliable',
    maxMessageSize: MESSAGE_BYTES,
  });
  const data = new Uint8Array(MESSAGE_BYTES);
  let sequence = 0;
  const idle: IdleStrategy = kind === 'shm spinMicros' ? { spinMicros: 200 } : kind === 'shm park' ? 'park' : 'spin';
  let subscription: ShmSubscription | undefined;
  let futex: { close(): void } | undefined;
  let peerSegment: ReturnType<typeof openSegment> | undefined;
  let closeReader: () => void = () => undefined;
  const handler = (message: { data: Uint8Array }): void => {
    onMessage(message.data);
  };
  return {
    advertisement: advertisementOf(publication),
    async attach(peer: Advertisement) {
      if (kind === 'shm futex+tsfn') {
        // The futex case bypasses the transport's wake-up: a bare ring reader that never
        // parks, polled when a native thread waiting on a futex word of the peer's segment
        // calls back through a ThreadSafeFunction.
        const name = parseShmEndpoint(peer.endpoints['shm']).segment;
        peerSegment = openSegment(name, uid, 0, segmentBytesFor(D.maxCapacity));
        const buffer = peerSegment.buffer ?? new ArrayBuffer(0);
        const header = readSegmentHeader(buffer, name);
        const reader = new RingReader(buffer, name, {
          capacity: header.capacity,
          maxPayload: header.maxMessageSize,
          latest: false,
          topic: header.topic,
          publisherId: header.publisherId,
          copy: false,
          owner: { pid: process.pid, presence: ownPresence()?.token ?? '' },
        });
        closeReader = () => {
          reader.close();
        };
        futex = new (loadBenchBinding().FutexWaiter)(buffer, FUTEX_OFFSET, () => {
          while (reader.poll(handler, Number.POSITIVE_INFINITY) > 0);
        });
        return;
      }
      const current = await transport.openSubscription(
        peer,
        { idle },
        {
          readable: () => {
            while (current.poll(handler) > 0);
          },
          ended: () => undefined,
        },
      );
      subscription = current;
    },
    send(payload: Uint8Array = data) {
      publication.send(payload, sequence++);
      if (kind === 'shm futex+tsfn') {
        // Ring our own segment's futex word: the peer's waiter thread sleeps on it.
        loadBenchBinding().futexWake(ownSegment().buffer ?? new ArrayBuffer(0), FUTEX_OFFSET);
      }
    },
    async close() {
      futex?.close();
      closeReader();
      peerSegment?.close();
      await subscription?.close();
      await transport.close();
    },
  };

  function ownSegment() {
    cachedOwn ??= openSegment(publication.endpoint.segment, uid, 0, segmentBytesFor(D.maxCapacity));
    return cachedOwn;
  }
}
let cachedOwn: ReturnType<typeof openSegment> | undefined;

// One side of a node:net ping-pong.
function netSide(socket: Socket, onMessage: (data: Uint8Array) => void) {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= MESSAGE_BYTES) {
      onMessage(pending.subarray(offset, offset + MESSAGE_BYTES));
      offset += MESSAGE_BYTES;
    }
    pending = pending.subarray(offset);
  });
  const data = Buffer.alloc(MESSAGE_BYTES);
  return {
    send: (payload: Uint8Array = data) => socket.write(payload),
  };
}

interface Stats {
  p50: number;
  p99: number;
}

// The peer process: echoes every message back, or (`--sink`) records one-way latencies from
// the send time the sender wrote into each message (CLOCK_MONOTONIC, shared by processes).
async function peer(kind: Case): Promise<void> {
  pin(1);
  const sink = process.argv.includes('--sink');
  const latencies: number[] = [];
  const record = (data: Uint8Array): void => {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    latencies.push(Number(process.hrtime.bigint() - view.getBigUint64(0, true)) / 1000);
  };
  const report = (): void => {
    process.send?.({ latencies });
  };
  if (kind === 'tcp' || kind === 'unix') {
    const address = argument('address', '');
    const socket = kind === 'tcp' ? connect(Number(address), '127.0.0.1') : connect(address);
    const side = netSide(socket, (data) => {
      if (sink) record(data);
      else side.send();
    });
    socket.on('close', () => {
      if (sink) report();
      setTimeout(() => process.exit(0), 50);
    });
    return;
  }
  const holder: { side?: Awaited<ReturnType<typeof shmSide>> } = {};
  const side = await shmSide(kind, (data) => {
    if (sink) record(data);
    else holder.side?.send();
  });
  holder.side = side;
  process.send?.({ advertisement: side.advertisement });
  process.on('message', (message: { advertisement?: Advertisement; done?: boolean }) => {
    if (message.advertisement !== undefined) {
      void side.attach(message.advertisement).then(() => process.send?.({ attached: true }));
    }
    if (message.done === true) {
      if (sink) report();
      void side.close().then(() => process.exit(0));
    }
  });
}

// Starts the peer and connects both sides; `onMessage` receives what the peer sends back.
async function connectPeer(kind: Case, sink: boolean, onMessage: (data: Uint8Array) => void) {
  const flags = ['--peer', kind, '--cpus', cpus, ...(sink ? ['--sink'] : [])];
  const latencies = (child: ChildProcess) =>
    new Promise<number[]>((resolve) => {
      child.on('message', (message: { latencies?: number[] }) => {
        if (message.latencies !== undefined) resolve(message.latencies);
      });
    });
  if (kind === 'tcp' || kind === 'unix') {
    const server: Server = createServer();
    const path = `${tmpdir()}/seamless-bench-${process.pid}.sock`;
    await new Promise<void>((resolve) => (kind === 'tcp' ? server.listen(0, '127.0.0.1', resolve) : server.listen(path, resolve)));
    const address = kind === 'tcp' ? String((server.address() as { port: number }).port) : path;
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const child = fork(process.argv[1] ?? '', [...flags, '--address', address], { execArgv: [] });
    const received = latencies(child);
    const socket = await accepted;
    const side = netSide(socket, onMessage);
    return {
      child,
      send: side.send,
      async finish(): Promise<number[]> {
        socket.end();
        const result = sink ? await received : [];
        socket.destroy();
        await new Promise((resolve) => server.close(resolve));
        if (kind === 'unix') rmSync(path, { force: true });
        return result;
      },
    };
  }
  const child = fork(process.argv[1] ?? '', flags, { execArgv: [] });
  const received = latencies(child);
  const peerAdvertisement = await new Promise<Advertisement>((resolve) => {
    child.once('message', (message: { advertisement: Advertisement }) => {
      resolve(message.advertisement);
    });
  });
  const side = await shmSide(kind, onMessage);
  await side.attach(peerAdvertisement);
  child.send({ advertisement: side.advertisement });
  await new Promise((resolve) => child.once('message', resolve));
  return {
    child,
    send: (payload?: Uint8Array) => {
      side.send(payload);
    },
    async finish(): Promise<number[]> {
      child.send({ done: true });
      const result = sink ? await received : [];
      await side.close();
      cachedOwn?.close();
      cachedOwn = undefined;
      return result;
    },
  };
}

function exited(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(undefined);
    else child.once('exit', resolve);
  });
}

function percentiles(samples: Float64Array | number[]): Stats {
  const sorted = Float64Array.from(samples).sort();
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, p99: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN };
}

// Back-to-back round trips: each side sleeps in its event loop until the other's message.
async function roundTrips(kind: Case, count: number): Promise<Stats> {
  const samples = new Float64Array(count);
  let index = -1000; // warm-up round trips are not recorded
  let started = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const peer = await connectPeer(kind, false, () => {
    if (index >= 0) samples[index] = (performance.now() - started) * 1000;
    index++;
    if (index >= count) {
      finish();
      return;
    }
    started = performance.now();
    peer.send();
  });
  started = performance.now();
  peer.send();
  await finished;
  await peer.finish();
  await exited(peer.child);
  return percentiles(samples);
}

// One-way latency of a steady stream: the sender paces `rate` messages per second (spinning
// between them, like a feed handler) and stamps each with the send time.
async function paced(kind: Case, count: number, rate: number): Promise<Stats> {
  const peer = await connectPeer(kind, true, () => undefined);
  const payload = new Uint8Array(MESSAGE_BYTES);
  const view = new DataView(payload.buffer);
  const periodMs = 1000 / rate;
  const warmUp = 1000;
  const begin = performance.now();
  for (let index = 0; index < count + warmUp; index++) {
    const due = begin + index * periodMs;
    while (performance.now() < due) {
      // pace
    }
    view.setBigUint64(0, process.hrtime.bigint(), true);
    peer.send(payload);
  }
  const latencies = await peer.finish();
  await exited(peer.child);
  return percentiles(latencies.slice(warmUp));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function coordinate(): Promise<void> {
  pin(0);
  const runs = Number(argument('runs', '5'));
  const roundTripCount = Number(argument('round-trips', '20000'));
  const pattern: { name: string; rate: number; cases: Case[] }[] = [
    { name: 'round trip, back to back', rate: 0, cases: ['shm park', 'shm futex+tsfn', 'tcp', 'unix'] },
    { name: 'one way, a steady 10,000 messages/s', rate: 10_000, cases: ['shm park', 'shm spinMicros', 'tcp', 'unix'] },
  ];
  const results: Record<string, Record<string, Stats>> = {};
  for (const { name, rate, cases } of pattern) {
    const perCase: Record<string, Stats[]> = {};
    for (let run = 0; run < runs; run++) {
      for (const kind of cases) {
        (perCase[kind] ??= []).push(rate > 0 ? await paced(kind, roundTripCount, rate) : await roundTrips(kind, roundTripCount));
        process.stderr.write('.');
      }
    }
    results[name] = Object.fromEntries(
      Object.entries(perCase).map(([kind, stats]) => [
        kind,
        { p50: median(stats.map((s) => s.p50)), p99: median(stats.map((s) => s.p99)) },
      ]),
    );
  }
  process.stderr.write('\n');
  console.log(
    `round trips of ${MESSAGE_BYTES}-byte messages between two processes idle in their event loops; ${runs} runs, medians; ${cpus === '' ? 'not pinned' : `pinned to CPUs ${cpus}`}`,
  );
  for (const [name, perCase] of Object.entries(results)) {
    const unix = perCase['unix']?.p50 ?? Number.NaN;
    console.log('');
    console.log(`${name}:`);
    console.log('| case | p50 | p99 | p50 vs Unix socket |');
    console.log('| --- | --- | --- | --- |');
    for (const [kind, stats] of Object.entries(perCase)) {
      console.log(`| ${kind} | ${stats.p50.toFixed(1)} µs | ${stats.p99.toFixed(1)} µs | ${(stats.p50 / unix).toFixed(2)}x |`);
    }
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(results));
}

const peerKind = argument('peer', '');
if (peerKind !== '') await peer(peerKind as Case);
else await coordinate();
