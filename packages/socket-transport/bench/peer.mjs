// One side of one benchmark case, run as a child process by run.mjs:
//   node bench/peer.mjs <case> publisher|subscriber   (options in BENCH_OPTIONS, results over IPC)
import { performance } from 'node:perf_hooks';

const [caseName, role] = process.argv.slice(2);
const { messages, size, port } = JSON.parse(process.env.BENCH_OPTIONS ?? '{}');
const benchCase = await import(`./cases/${caseName}.mjs`);

// CPU time (user + system) in nanoseconds, to report the cost per message on each side.
const cpuNanoseconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

if (role === 'publisher') {
  let cpuAtStart = 0;
  const handle = await benchCase.publisher({
    messages,
    size,
    listening: (info) => {
      cpuAtStart = cpuNanoseconds();
      process.send({ type: 'listening', ...info });
    },
  });
  process.send({ type: 'sent', cpuPerMessage: (cpuNanoseconds() - cpuAtStart) / messages });
  process.on('message', async (message) => {
    if (message.type !== 'stop') return;
    await handle.close();
    process.exit(0);
  });
} else {
  // The first tenth warms up the JIT and the connection; the rate is measured over the rest.
  const warmup = Math.floor(messages / 10);
  let startedAt = 0;
  let cpuAtStart = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const received = (count) => {
    if (count === warmup) {
      startedAt = performance.now();
      cpuAtStart = cpuNanoseconds();
    } else if (count === messages) {
      finish(performance.now());
    }
  };
  const handle = await benchCase.subscriber({ port, messages, size, received });
  const endedAt = await finished;
  const seconds = (endedAt - startedAt) / 1000;
  const cpuPerMessage = (cpuNanoseconds() - cpuAtStart) / (messages - warmup);
  process.send({ type: 'result', rate: (messages - warmup) / seconds, seconds, cpuPerMessage, problem: handle.check() });
  await handle.close();
  process.exit(0);
}
