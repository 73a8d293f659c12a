// What history costs the send path, for publications that retain 0, 10 and 1000 messages
// (rings sized as the transport sizes them: ringSizeFor(maxMessageSize 1024, 1 MiB, history)),
// under both policies, 64-byte messages:
// - the send path alone: the writer in one process with no reader (nothing holds it back; a
//   reliable writer still looks at the empty reader slots once per ring), messages per second
//   of write() calls;
// - one way between two processes: the writer here, a reader spinning on poll() in a child.
// The cases alternate within each run, so that a change of machine load hits them alike;
// medians of the runs. Run with
// `node bench/run.mjs history-bench [--runs 7] [--messages 5000000] [--mode send|oneway|both] [--pin] [--json]`.
//
// Roles: without arguments this is the coordinator; `--role sink` is a child.
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DeliveryPolicy } from '@seamless/transport';
import { createSegment, openSegment, unlinkSegment } from '../src/os/native.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { RingReader } from '../src/ring/ring-reader.js';
import { ringSizeFor } from '../src/ring/ring-size.js';
import { RingWriter } from '../src/ring/ring-writer.js';
import { readSegmentHeader, writeSegmentHeader } from '../src/ring/segment-header.js';

const MESSAGE_BYTES = 64;
const MAX_PAYLOAD = 1024;
const MIN_CAPACITY = 1 << 20;
const uid = process.getuid?.() ?? 0;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

// `--pin`: the coordinator runs on CPU 0 and the reader on CPU 1 (taskset).
const pinned = process.argv.includes('--pin');
function pinTo(cpu: number): void {
  execFileSync('taskset', ['-pc', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

async function sink(): Promise<void> {
  if (pinned) pinTo(1);
  const name = await new Promise<string>((resolve) => {
    process.once('message', (message: { segment: string }) => {
      resolve(message.segment);
    });
  });
  const count = Number(argument('count', '0'));
  const segment = openSegment(name, uid, 0, segmentBytesFor(D.maxCapacity));
  const buffer = segment.buffer ?? new ArrayBuffer(0);
  const header = readSegmentHeader(buffer, name);
  const reader = new RingReader(buffer, name, {
    capacity: header.capacity,
    maxPayload: header.maxMessageSize,
    latest: header.policy === 'latest',
    topic: header.topic,
    publisherId: header.publisherId,
    copy: false,
    retained: header.history,
    owner: { pid: process.pid, presence: '00'.repeat(8) },
  });
  // Touch the payload, as a consumer would; stop at the last message (under latest the
  // reader may be lapped: the newest message always survives).
  let checksum = 0;
  let last = -1;
  const handler = (message: { data: Uint8Array; seq: number }): void => {
    checksum = (checksum + (message.data[0] ?? 0)) | 0;
    last = message.seq;
  };
  process.send?.({ ready: true });
  while (last !== count - 1) reader.poll(handler, Number.POSITIVE_INFINITY);
  process.send?.({ lost: reader.lost, checksum });
  reader.close();
  segment.close();
  process.exit(0);
}

async function throughput(policy: DeliveryPolicy, history: number, count: number): Promise<{ rate: number; lost: number }> {
  const { capacity } = ringSizeFor(MAX_PAYLOAD, MIN_CAPACITY, history);
  const name = `/seamless-bench-${randomBytes(6).toString('hex')}`;
  const segment = createSegment(name, segmentBytesFor(capacity), 0o600);
  const buffer = segment.buffer ?? new ArrayBuffer(0);
  writeSegmentHeader(buffer, {
    capacity,
    maxMessageSize: MAX_PAYLOAD,
    policy,
    writerPid: process.pid,
    writerPresence: '00'.repeat(8),
    writerDoorbell: 0,
    nonce: '00'.repeat(16),
    ownerUid: uid,
    segmentBytes: segmentBytesFor(capacity),
    publisherId: 'bench',
    topic: 'bench',
    history,
  });
  const writer = new RingWriter(buffer, { capacity, maxPayload: MAX_PAYLOAD, latest: policy === 'latest', history });
  const child = fork(process.argv[1] ?? '', ['--role', 'sink', '--count', String(count), ...(pinned ? ['--pin'] : [])], { execArgv: [] });
  child.send({ segment: name });
  await new Promise((resolve) => child.once('message', resolve));
  // The rate is the writer's: from its first write to the reader's report of the last message
  // (one IPC hop, some 100 µs, against seconds of sending).
  const done = new Promise<{ lost: number; at: number }>((resolve) => {
    child.once('message', (message: { lost: number }) => {
      resolve({ lost: message.lost, at: performance.now() });
    });
  });
  const data = new Uint8Array(MESSAGE_BYTES);
  const started = performance.now();
  for (let sequence = 0; sequence < count; sequence++) {
    while (!writer.write(data, sequence)) {
      // spin: the reader frees room within microseconds
    }
  }
  const { lost, at } = await done;
  const measured = { rate: count / ((at - started) / 1000), lost };
  await new Promise((resolve) => child.once('exit', resolve));
  segment.close();
  unlinkSegment(name);
  return measured;
}

// The send path alone: `count` writes with no reader, in this process.
function sendOnly(policy: DeliveryPolicy, history: number, count: number): number {
  const { capacity } = ringSizeFor(MAX_PAYLOAD, MIN_CAPACITY, history);
  const name = `/seamless-bench-${randomBytes(6).toString('hex')}`;
  const segment = createSegment(name, segmentBytesFor(capacity), 0o600);
  const buffer = segment.buffer ?? new ArrayBuffer(0);
  writeSegmentHeader(buffer, {
    capacity,
    maxMessageSize: MAX_PAYLOAD,
    policy,
    writerPid: process.pid,
    writerPresence: '00'.repeat(8),
    writerDoorbell: 0,
    nonce: '00'.repeat(16),
    ownerUid: uid,
    segmentBytes: segmentBytesFor(capacity),
    publisherId: 'bench',
    topic: 'bench',
    history,
  });
  const writer = new RingWriter(buffer, { capacity, maxPayload: MAX_PAYLOAD, latest: policy === 'latest', history });
  const data = new Uint8Array(MESSAGE_BYTES);
  const started = performance.now();
  for (let sequence = 0; sequence < count; sequence++) {
    if (!writer.write(data, sequence)) throw new Error('refused with no reader');
  }
  const rate = count / ((performance.now() - started) / 1000);
  segment.close();
  unlinkSegment(name);
  return rate;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function coordinate(): Promise<void> {
  if (pinned) pinTo(0);
  const runs = Number(argument('runs', '7'));
  const messages = Number(argument('messages', '5000000'));
  const histories = argument('histories', '0,10,1000').split(',').map(Number);
  const policies = argument('policies', 'reliable,latest').split(',') as DeliveryPolicy[];
  const mode = argument('mode', 'both');
  const cases = policies.flatMap((policy) =>
    histories.map((history) => ({ policy, history, send: [] as number[], rates: [] as number[], lost: [] as number[] })),
  );
  // A first round, not recorded, lets the JIT settle on every path.
  for (const each of cases) sendOnly(each.policy, each.history, messages);
  for (let run = 0; run < runs; run++) {
    for (const each of cases) {
      if (mode !== 'oneway') each.send.push(sendOnly(each.policy, each.history, messages));
      if (mode !== 'send') {
        const { rate, lost } = await throughput(each.policy, each.history, messages);
        each.rates.push(rate);
        each.lost.push(lost);
      }
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const rates = (values: number[]) => values.map((rate) => (rate / 1e6).toFixed(1)).join(' ');
  console.log(
    `${MESSAGE_BYTES}-byte messages, ${messages} per case and run, ${runs} runs (medians; cases alternate within a run), ` +
      (pinned ? 'writer pinned to CPU 0, reader to CPU 1' : 'processes not pinned'),
  );
  console.log('');
  console.log(
    '| policy | history | ring | send path alone | runs (M msg/s) | one way, two processes | runs (M msg/s) | lost (latest, median) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const each of cases) {
    const { capacity } = ringSizeFor(MAX_PAYLOAD, MIN_CAPACITY, each.history);
    console.log(
      `| ${each.policy} | ${each.history} | ${capacity / (1 << 20)} MiB | ${(median(each.send) / 1e6).toFixed(1)} M msg/s | ${rates(each.send)} | ` +
        `${(median(each.rates) / 1e6).toFixed(2)} M msg/s | ${rates(each.rates)} | ${median(each.lost)} |`,
    );
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(cases));
}

if (process.argv.includes('--role')) await sink();
else await coordinate();
