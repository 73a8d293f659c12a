// The coordinator: runs every selected case, measure and message size, `runs` times, each
// between fresh processes, interleaved (run 1 of every case, then run 2...; the case order
// rotates from run to run), and collects the figures into a report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, LinkRequest } from './cases/bench-case.js';
import { BASELINE_CASE } from './cases/catalog.js';
import {
  FAN_OUT_SIZE,
  FAN_OUT_SUBSCRIBERS,
  GROUP_OVERHEAD_SECONDS,
  ROUND_TRIP_SIZES,
  THROUGHPUT_SIZES,
  cpuFor,
  planGroups,
  receiversOf,
  taskSeconds,
} from './bench-plan.js';
import type { Task } from './bench-plan.js';
import { machineState, takeCpuSnapshot } from './machine-state.js';
import type { Plan } from './measures/plan.js';
import type { BenchOptions } from './options.js';
import { PeerHandle } from './peer-handle.js';
import type { Progress } from './progress.js';
import { formatMessageRate, formatMicroseconds, formatSize } from './format.js';
import type {
  BenchReport,
  CaseDescription,
  Failure,
  MeasureKind,
  RoundTripEntry,
  RoundTripRun,
  ThroughputEntry,
  ThroughputRun,
} from './results.js';
import { median } from './statistics.js';
import { summarizeRoundTrips, summarizeThroughput } from './summarize-runs.js';

const OPEN_TIMEOUT_MS = 20_000;
const GRACE_MS = 20_000;
/** Where the peer script is: next to this module once built (dist/peer.js). */
export function peerScript(): string {
  return fileURLToPath(new URL('./peer.js', import.meta.url));
}

function zeromqVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve('zeromq/package.json'), 'utf8')) as { version?: string };
    return `zeromq.js ${manifest.version ?? '?'}`;
  } catch {
    return 'zeromq.js (version unknown)';
  }
}

/** Runs the benchmark; `progress` hears about every finished measurement. */
export async function runBench(options: BenchOptions, cases: readonly BenchCase[], progress: Progress): Promise<BenchReport> {
  const startedAt = new Date();
  const before = takeCpuSnapshot();
  const directories = {
    registry: mkdtempSync(join(tmpdir(), 'seamless-bench-registry-')),
    sockets: mkdtempSync(join(tmpdir(), 'seamless-bench-sockets-')),
  };
  const removeDirectories = (): void => {
    rmSync(directories.registry, { recursive: true, force: true });
    rmSync(directories.sockets, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C, kill): 'exit' listeners do not run on a signal. Ask the peers to exit
  // (they then remove their shared-memory segments), kill those that cannot (a spin loop does
  // not see signals) after a moment, remove the private directories, and exit as the signal
  // would have.
  const live = new Set<PeerHandle>();
  const interrupted = (signal: NodeJS.Signals): void => {
    progress.note(`bench: ${signal}, stopping`);
    for (const peer of live) peer.kill('SIGTERM');
    setTimeout(() => {
      for (const peer of live) peer.kill();
      removeDirectories();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, 500);
  };
  process.once('exit', removeDirectories);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const groups = planGroups(options, cases);
  const roundTrips = new Map<string, RoundTripRun[]>();
  const streams = new Map<string, ThroughputRun[]>();
  const routes = new Map<string, string>();
  const failures: Failure[] = [];
  const script = peerScript();
  let counter = 0;
  try {
    for (const group of groups) {
      const name = group.benchCase.name;
      const label = `run ${group.run}/${options.runs} ${name}`;
      let peers: PeerHandle[] = [];
      let broken: string | undefined;
      try {
        peers = await Promise.all(
          Array.from({ length: 1 + receiversOf(group) }, async (_, index) => {
            const peer = await PeerHandle.start(script, name, cpuFor(options.cpus, index));
            live.add(peer);
            return peer;
          }),
        );
      } catch (error) {
        broken = (error as Error).message;
      }
      for (const task of group.tasks) {
        const planned = taskSeconds(options, task) + GROUP_OVERHEAD_SECONDS / group.tasks.length;
        const what = `${label} ${task.measure} ${formatSize(task.size)}`;
        if (broken !== undefined) {
          failures.push({ run: group.run, case: name, measure: task.measure, size: task.size, error: broken });
          progress.step(planned, `${what}: not run`);
          continue;
        }
        const id = `${task.measure}-${task.size}-r${group.run}-${counter++}`;
        try {
          const measured = await measureOnce(peers.slice(0, 1 + task.receivers), task, { ...options, id, directories, run: group.run });
          routes.set(name, measured.route);
          const key = `${task.measure}|${name}|${task.size}`;
          if (measured.roundTrip !== undefined) {
            push(roundTrips, key, measured.roundTrip);
            progress.step(planned, `${what}: p50 ${formatMicroseconds(measured.roundTrip.latency.p50)}`);
          } else if (measured.stream !== undefined) {
            push(streams, key, measured.stream);
            progress.step(planned, `${what}: ${formatMessageRate(measured.stream.messagesPerSecond)}`);
          }
        } catch (error) {
          const message = (error as Error).message;
          failures.push({ run: group.run, case: name, measure: task.measure, size: task.size, error: message });
          progress.note(`${what} failed: ${message.split('\n')[0] ?? ''}`);
          progress.step(planned, `${what}: failed`);
          broken = `not run: an earlier measurement of these processes failed (${message.split('\n')[0] ?? ''})`;
          for (const peer of peers) peer.kill();
        }
      }
      await Promise.all(peers.map((peer) => peer.exit()));
      for (const peer of peers) live.delete(peer);
    }
  } finally {
    removeDirectories();
    process.off('exit', removeDirectories);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  progress.end();
  const after = takeCpuSnapshot();
  const finishedAt = new Date();
  const describeCase = (benchCase: BenchCase): CaseDescription => ({
    name: benchCase.name,
    title: benchCase.title,
    route: routes.get(benchCase.name) ?? 'unknown (no measurement completed)',
  });
  return {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    settings: {
      quick: options.quick,
      runs: options.runs,
      warmupMs: options.warmupMs,
      roundTripMs: options.roundTripMs,
      throughputMs: options.throughputMs,
      cpus: options.cpus,
      cases: cases.map((benchCase) => benchCase.name),
      measures: options.measures,
      roundTripSizes: [...ROUND_TRIP_SIZES],
      throughputSizes: [...THROUGHPUT_SIZES],
      fanOutSize: FAN_OUT_SIZE,
      fanOutSubscribers: FAN_OUT_SUBSCRIBERS,
    },
    machine: machineState(before, after, zeromqVersion()),
    baseline: BASELINE_CASE,
    cases: cases.map(describeCase),
    roundTrip: entries(cases, ROUND_TRIP_SIZES, 'round-trip', roundTrips, summarizeRoundTrips) satisfies RoundTripEntry[],
    throughput: entries(cases, THROUGHPUT_SIZES, 'throughput', streams, summarizeThroughput) satisfies ThroughputEntry[],
    fanOut: entries(cases, [FAN_OUT_SIZE], 'fan-out', streams, summarizeThroughput) satisfies ThroughputEntry[],
    failures,
  };
}

function push<Run>(map: Map<string, Run[]>, key: string, run: Run): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [run]);
  else list.push(run);
}

function entries<Run, Summary>(
  cases: readonly BenchCase[],
  sizes: readonly number[],
  measure: MeasureKind,
  runs: ReadonlyMap<string, Run[]>,
  summarize: (runs: readonly Run[]) => Summary,
): { case: string; size: number; runs: Run[]; summary: Summary }[] {
  const result: { case: string; size: number; runs: Run[]; summary: Summary }[] = [];
  for (const size of sizes) {
    for (const benchCase of cases) {
      const list = runs.get(`${measure}|${benchCase.name}|${size}`);
      if (list !== undefined && list.length > 0) result.push({ case: benchCase.name, size, runs: list, summary: summarize(list) });
    }
  }
  return result;
}

interface MeasureContext {
  readonly id: string;
  readonly run: number;
  readonly directories: LinkRequest['directories'];
  readonly warmupMs: number;
  readonly roundTripMs: number;
  readonly throughputMs: number;
}

interface Measured {
  readonly route: string;
  readonly roundTrip?: RoundTripRun;
  readonly stream?: ThroughputRun;
}

// One measurement between a group's processes: open (sender first), wait until connected,
// start the receivers, then the sender; collect the outcomes and each process's CPU time.
async function measureOnce(peers: readonly PeerHandle[], task: Task, context: MeasureContext): Promise<Measured> {
  const [sender, ...receivers] = peers;
  if (sender === undefined) throw new Error('no processes');
  const base = {
    measure: task.measure,
    size: task.size,
    id: context.id,
    receivers: receivers.length,
    directories: context.directories,
  };
  const opened = await sender.request({ kind: 'open', request: { ...base, role: 'sender', address: '' } }, 'opened', OPEN_TIMEOUT_MS);
  for (const receiver of receivers) {
    await receiver.request({ kind: 'open', request: { ...base, role: 'receiver', address: opened.address } }, 'opened', OPEN_TIMEOUT_MS);
  }
  await Promise.all(peers.map((peer) => peer.request({ kind: 'ready' }, 'ready', OPEN_TIMEOUT_MS)));
  const plan: Plan = {
    warmupMs: context.warmupMs,
    durationMs: task.measure === 'round-trip' ? context.roundTripMs : context.throughputMs,
    graceMs: GRACE_MS,
  };
  const runTimeout = plan.warmupMs + plan.durationMs + plan.graceMs + 5000;
  await Promise.all(receivers.map((receiver) => receiver.request({ kind: 'run', plan }, 'started', OPEN_TIMEOUT_MS)));
  const [sent, ...received] = await Promise.all([
    sender.request({ kind: 'run', plan }, 'result', runTimeout),
    ...receivers.map((receiver) => receiver.next('result', runTimeout)),
  ]);
  const readings = (await Promise.all(peers.map((peer) => peer.request({ kind: 'finish' }, 'finished', OPEN_TIMEOUT_MS)))).map(
    (finished) => finished.cpu,
  );
  const [senderReading, ...receiverReadings] = readings;
  if (senderReading === undefined) throw new Error('no CPU reading of the sender');
  const outcomes = received.map((reply) => reply.outcome);

  if (task.measure === 'round-trip') {
    const pinged = sent.outcome;
    const echoed = outcomes[0];
    const echoReading = receiverReadings[0];
    if (pinged.kind !== 'ping' || echoed?.kind !== 'echo' || echoReading === undefined)
      throw new Error('unexpected outcomes of a round trip');
    return {
      route: opened.route,
      roundTrip: {
        run: context.run,
        latency: pinged.latency,
        roundTrips: pinged.roundTrips,
        cpuPerRoundTrip: { ping: senderReading.nanoseconds / pinged.roundTrips, echo: echoReading.nanoseconds / echoed.roundTrips },
        ioCallsPerRoundTrip: { ping: senderReading.ioCalls / pinged.roundTrips, echo: echoReading.ioCalls / echoed.roundTrips },
        gc: { ping: senderReading.gc, echo: echoReading.gc },
      },
    };
  }
  const streamed = sent.outcome;
  if (streamed.kind !== 'send') throw new Error('unexpected outcome of a sender');
  const rates: number[] = [];
  const receiverCpu: number[] = [];
  const receiverIoCalls: number[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.kind !== 'receive') throw new Error('unexpected outcome of a receiver');
    if (outcome.messages !== streamed.messages || outcome.wrongSizes !== 0) {
      throw new Error(
        `receiver ${index + 1} got ${outcome.messages} measured messages (${outcome.wrongSizes} of a wrong size); ${streamed.messages} were sent`,
      );
    }
    if (outcome.messages === 0 || !(outcome.seconds > 0)) throw new Error('nothing was measured: the measurement is too short');
    rates.push(outcome.messages / outcome.seconds);
    const reading = receiverReadings[index];
    receiverCpu.push((reading?.nanoseconds ?? Number.NaN) / outcome.messages);
    receiverIoCalls.push((reading?.ioCalls ?? Number.NaN) / outcome.messages);
  });
  const messagesPerSecond = median(rates);
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    route: opened.route,
    stream: {
      run: context.run,
      receiverRates: rates,
      messagesPerSecond,
      bytesPerSecond: messagesPerSecond * task.size,
      messages: streamed.messages,
      cpuPerMessage: { sender: senderReading.nanoseconds / streamed.messages, receiver: mean(receiverCpu) },
      ioCallsPerMessage: { sender: senderReading.ioCalls / streamed.messages, receiver: mean(receiverIoCalls) },
      gc: { sender: senderReading.gc, receivers: receiverReadings.map((reading) => reading.gc) },
    },
  };
}
