// One side of one case, as its own process: `node dist/peer.js <case>`, driven over IPC by the
// coordinator (see protocol.ts). It opens one link per measurement, runs the measure's driver
// for its role and reports; CPU time is that of this whole process.
import type { BenchCase, LinkRequest } from './cases/bench-case.js';
import { findCase } from './cases/catalog.js';
import type { Link } from './links/link.js';
import { CpuMeter } from './measures/cpu-meter.js';
import { recordGcPauses } from './measures/gc-pauses.js';
import type { Plan } from './measures/plan.js';
import { echo, ping } from './measures/round-trip.js';
import { receiveStream, sendStream } from './measures/stream.js';
import { makePayloads } from './payloads.js';
import type { Command, Outcome, Reply } from './protocol.js';

interface Current {
  readonly request: LinkRequest;
  readonly link: Link;
  readonly meter: CpuMeter;
}

function reply(message: Reply): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('peer.js runs only as a child process of the benchmark (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => {
      if (error === null) resolve();
      else reject(error);
    });
  });
}

function run(current: Current, plan: Plan): Promise<Outcome> {
  const { request, link, meter } = current;
  if (request.measure === 'round-trip') {
    return request.role === 'sender' ? ping(link, makePayloads(request.size), plan, meter) : echo(link, plan, meter);
  }
  return request.role === 'sender'
    ? sendStream(link, makePayloads(request.size), plan, meter)
    : receiveStream(link, request.size, plan, meter);
}

async function handle(benchCase: BenchCase, command: Command, state: { current: Current | undefined }): Promise<void> {
  switch (command.kind) {
    case 'open': {
      if (state.current !== undefined) throw new Error('a link is already open');
      const opened = await benchCase.open(command.request);
      state.current = { request: command.request, link: opened.link, meter: new CpuMeter() };
      await reply({ kind: 'opened', address: opened.address, route: opened.link.route });
      return;
    }
    case 'ready': {
      if (state.current === undefined) throw new Error('no link is open');
      await state.current.link.ready();
      await reply({ kind: 'ready' });
      return;
    }
    case 'run': {
      const current = state.current;
      if (current === undefined) throw new Error('no link is open');
      // A spinning receiver blocks this process until it is done: say so before it starts.
      if (current.request.role === 'receiver') await reply({ kind: 'started' });
      const outcome = await run(current, command.plan);
      await reply({ kind: 'result', outcome });
      return;
    }
    case 'finish': {
      const current = state.current;
      if (current === undefined) throw new Error('no link is open');
      state.current = undefined;
      // Receivers and both round-trip sides stopped their meters at the end of the measured
      // phase; a streaming sender's stops now, when its last messages have been delivered.
      const cpu = current.meter.stop();
      await current.link.close();
      await reply({ kind: 'finished', cpu });
      return;
    }
    case 'exit': {
      await state.current?.link.close();
      state.current = undefined;
      await benchCase.shutdown?.();
      process.exit(0);
    }
  }
}

recordGcPauses();
const caseName = process.argv[2] ?? '';
const benchCase = findCase(caseName);
const state: { current: Current | undefined } = { current: undefined };
// Commands are handled one after the other, in order.
let queue = Promise.resolve();
process.on('message', (command: Command) => {
  queue = queue
    .then(
      () => handle(benchCase, command, state),
      () => undefined,
    )
    .catch(async (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      await reply({ kind: 'error', message }).catch(() => undefined);
    });
});
// The coordinator is gone, or the run was interrupted: exit normally, so that the transports'
// exit hooks remove what they made (shared-memory segments, doorbells).
process.on('disconnect', () => {
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
await reply({ kind: 'hello' });
