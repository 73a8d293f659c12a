// Shared-memory ring benchmark: round trip with both sides spinning on poll(), and one-way
// throughput, for the TypeScript path (the transport's own: typed arrays over the mapping)
// and for one native call per message (bench/native/ring.h through the benchmarks' addon),
// each between two processes. Run with `npm run bench -w @seamless/shm-transport`
// (bench/run.mjs bundles this file, since it uses the package's internal modules).
//
// Roles: without arguments this is the coordinator; `--role pong|sink` is a child.
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSegment, openSegment, unlinkSegment } from '../src/os/native.js';
import type { NativeSegment } from '../src/os/native.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { RingReader } from '../src/ring/ring-reader.js';
import { RingWriter } from '../src/ring/ring-writer.js';
import { writeSegmentHeader } from '../src/ring/segment-header.js';
import { loadBenchBinding } from './bench-binding.js';

type Path = 'typescript' | 'native';
const MESSAGE_BYTES = 64;
const CAPACITY = 1 << 20;
const uid = process.getuid?.() ?? 0;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

// `--pin`: the coordinator runs on CPU 0 and every peer process on CPU 1 (taskset).
const pinned = process.argv.includes('--pin');
function pinTo(cpu: number): void {
  execFileSync('taskset', ['-pc', String(cpu), String(process.pid)], { stdio: 'ignore' });
}
function peerArguments(): string[] {
  return pinned ? ['--pin'] : [];
}

function makeSegment(): { name: string; segment: NativeSegment; buffer: ArrayBuffer } {
  const name = `/seamless-bench-${randomBytes(6).toString('hex')}`;
  const segment = createSegment(name, segmentBytesFor(CAPACITY), 0o600);
  const buffer = segment.buffer ?? new ArrayBuffer(0);
  writeSegmentHeader(buffer, {
    capacity: CAPACITY,
    maxMessageSize: 1024,
    policy: 'reliable',
    writerPid: process.pid,
    writerPresence: '00'.repeat(8),
    writerDoorbell: 0,
    nonce: '00'.repeat(16),
    ownerUid: uid,
    segmentBytes: segmentBytesFor(CAPACITY),
    publisherId: 'bench',
    topic: 'bench',
    history: 0,
  });
  return { name, segment, buffer };
}

// A sender and a receiver over one segment, through either path.
interface Sender {
  send(data: Uint8Array, sequence: number): boolean;
}
interface Receiver {
  // Takes one message if one is ready; returns 1 or 0.
  take(): number;
  // Takes every message that is ready (the way a consumer drains a burst); returns how many.
  takeAll(): number;
  close(): void;
}

function sender(path: Path, buffer: ArrayBuffer): Sender {
  if (path === 'native') {
    const writer = new (loadBenchBinding().NativeRingWriter)(buffer);
    return { send: (data, sequence) => writer.write(data, sequence) === 0 };
  }
  const writer = new RingWriter(buffer, { capacity: CAPACITY, maxPayload: 1024, latest: false });
  return { send: (data, sequence) => writer.write(data, sequence) };
}

function receiver(path: Path, name: string): Receiver {
  const segment = openSegment(name, uid, 0, segmentBytesFor(D.maxCapacity));
  const buffer = segment.buffer ?? new ArrayBuffer(0);
  const reader = new RingReader(buffer, name, {
    capacity: CAPACITY,
    maxPayload: 1024,
    latest: false,
    topic: 'bench',
    publisherId: 'bench',
    copy: false,
    owner: { pid: process.pid, presence: '00'.repeat(8) },
  });
  if (path === 'native') {
    const native = new (loadBenchBinding().NativeRingReader)(buffer, reader.slot);
    const target = new Uint8Array(1024);
    const take = (): number => (native.readInto(target) < 0 ? 0 : 1);
    return {
      take,
      takeAll() {
        let count = 0;
        while (take() === 1) count++;
        return count;
      },
      close: () => {
        reader.close();
        segment.close();
      },
    };
  }
  // Touch the payload, as a consumer would.
  let checksum = 0;
  const handler = (message: { data: Uint8Array }): void => {
    checksum = (checksum + (message.data[0] ?? 0)) | 0;
  };
  process.once('exit', () => {
    if (checksum === -1) console.log(checksum);
  });
  return {
    take: () => reader.poll(handler, 1),
    takeAll: () => reader.poll(handler, Number.POSITIVE_INFINITY),
    close: () => {
      reader.close();
      segment.close();
    },
  };
}

function send(out: Sender, data: Uint8Array, sequence: number): void {
  while (!out.send(data, sequence)) {
    // spin: the reader frees room within microseconds
  }
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function child(): Promise<void> {
  if (pinned) pinTo(1);
  const role = argument('role', '');
  const path = argument('path', 'typescript') as Path;
  const count = Number(argument('count', '0'));
  if (role === 'pong') {
    // Echo every ping back on our own ring until `count` round trips are done.
    const pong = makeSegment();
    process.send?.({ segment: pong.name });
    const inName = await new Promise<string>((resolve) => {
      process.once('message', (message: { segment: string }) => {
        resolve(message.segment);
      });
    });
    const input = receiver(path, inName);
    const output = sender(path, pong.buffer);
    const data = new Uint8Array(MESSAGE_BYTES);
    for (let sequence = 0; sequence < count; sequence++) {
      while (input.take() === 0) {
        // spin
      }
      send(output, data, sequence);
    }
    await new Promise((resolve) => process.once('message', resolve));
    input.close();
    pong.segment.close();
    unlinkSegment(pong.name);
    process.exit(0);
  }
  if (role === 'sink') {
    const name = await new Promise<string>((resolve) => {
      process.once('message', (message: { segment: string }) => {
        resolve(message.segment);
      });
    });
    const input = receiver(path, name);
    process.send?.({ ready: true });
    let received = 0;
    let started = 0;
    const count1 = count;
    while (received < count1) {
      const taken = input.takeAll();
      if (taken > 0) {
        if (received === 0) started = performance.now();
        received += taken;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    process.send?.({ rate: (count1 - 1) / seconds });
    input.close();
    process.exit(0);
  }
}

async function pingPong(path: Path, iterations: number, warmup: number): Promise<{ p50: number; p99: number; p999: number }> {
  const total = iterations + warmup;
  const peer = fork(process.argv[1] ?? '', ['--role', 'pong', '--path', path, '--count', String(total), ...peerArguments()], {
    execArgv: [],
  });
  const pongName = await new Promise<string>((resolve) => {
    peer.once('message', (message: { segment: string }) => {
      resolve(message.segment);
    });
  });
  const ping = makeSegment();
  peer.send({ segment: ping.name });
  const output = sender(path, ping.buffer);
  let input: Receiver | undefined;
  for (let attempt = 0; input === undefined; attempt++) {
    try {
      input = receiver(path, pongName);
    } catch (error) {
      if (attempt > 1000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  // Wait until the peer has joined our ring, or the first pings would go unread.
  const words = new Int32Array(ping.buffer);
  while (Atomics.load(words, (D.readerSlotsOffset + D.slotStateOffset) >> 2) !== D.slotActive) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const data = new Uint8Array(MESSAGE_BYTES);
  const samples = new Float64Array(iterations);
  for (let sequence = 0; sequence < total; sequence++) {
    const started = performance.now();
    send(output, data, sequence);
    while (input.take() === 0) {
      // spin
    }
    if (sequence >= warmup) samples[sequence - warmup] = (performance.now() - started) * 1000;
  }
  peer.send('done');
  await new Promise((resolve) => peer.once('exit', resolve));
  input.close();
  ping.segment.close();
  unlinkSegment(ping.name);
  samples.sort();
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), p999: percentile(samples, 0.999) };
}

async function throughput(path: Path, count: number): Promise<number> {
  const sink = fork(process.argv[1] ?? '', ['--role', 'sink', '--path', path, '--count', String(count), ...peerArguments()], {
    execArgv: [],
  });
  const ring = makeSegment();
  sink.send({ segment: ring.name });
  await new Promise((resolve) => sink.once('message', resolve));
  const output = sender(path, ring.buffer);
  const data = new Uint8Array(MESSAGE_BYTES);
  const rate = new Promise<number>((resolve) => {
    sink.once('message', (message: { rate: number }) => {
      resolve(message.rate);
    });
  });
  for (let sequence = 0; sequence < count; sequence++) send(output, data, sequence);
  const result = await rate;
  await new Promise((resolve) => sink.once('exit', resolve));
  ring.segment.close();
  unlinkSegment(ring.name);
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function coordinate(): Promise<void> {
  if (pinned) pinTo(0);
  const runs = Number(argument('runs', '5'));
  const iterations = Number(argument('iterations', '200000'));
  const messages = Number(argument('messages', '10000000'));
  const rows: string[] = [];
  const json: Record<string, unknown> = {};
  for (const path of ['typescript', 'native'] as const) {
    const latencies: { p50: number; p99: number; p999: number }[] = [];
    const rates: number[] = [];
    for (let run = 0; run < runs; run++) {
      latencies.push(await pingPong(path, iterations, 20_000));
      rates.push(await throughput(path, messages));
      process.stderr.write('.');
    }
    const p50 = median(latencies.map((latency) => latency.p50));
    const p99 = median(latencies.map((latency) => latency.p99));
    const p999 = median(latencies.map((latency) => latency.p999));
    const rate = median(rates);
    json[path] = { p50, p99, p999, rate, runs: { latencies, rates } };
    rows.push(
      `| ${path === 'typescript' ? 'TypeScript over the mapping' : 'one native call per message'} | ${p50.toFixed(2)} µs | ${p99.toFixed(2)} µs | ${p999.toFixed(2)} µs | ${(rate / 1e6).toFixed(1)} M/s |`,
    );
  }
  process.stderr.write('\n');
  const ts = json['typescript'] as { p50: number; rate: number };
  const native = json['native'] as { p50: number; rate: number };
  console.log(
    `shared-memory ring, ${MESSAGE_BYTES}-byte messages, both sides spinning, ${runs} runs (medians), ` +
      `${iterations} round trips and ${messages} one-way messages per run, ` +
      (pinned ? 'processes pinned to CPU 0 and CPU 1' : 'processes not pinned'),
  );
  console.log('');
  console.log('| path | round trip p50 | p99 | p99.9 | one-way throughput |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  console.log('');
  console.log(
    `TypeScript path vs native path: round trip ${(native.p50 / ts.p50).toFixed(2)}x faster, throughput ${(ts.rate / native.rate).toFixed(2)}x`,
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify(json));
}

if (process.argv.includes('--role')) await child();
else await coordinate();
