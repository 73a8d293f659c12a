// One side of one benchmark case, run as a child process by run.mjs:
//   node bench/peer.mjs <case> publisher|subscriber   (options in BENCH_OPTIONS, results over IPC)
import { performance } from 'node:perf_hooks';

const [caseName, role] = process.argv.slice(2);
const { messages, size, port } = JSON.parse(process.env.BENCH_OPTIONS ?? '{}');
const benchCase = await import(`./cases/${caseName}.mjs`);

if (role === 'publisher') {
  const handle = await benchCase.publisher({
    messages,
    size,
    listening: (info) => process.send({ type: 'listening', ...info }),
  });
  process.send({ type: 'sent' });
  process.on('message', async (message) => {
    if (message.type !== 'stop') return;
    await handle.close();
    process.exit(0);
  });
} else {
  // The first tenth warms up the JIT and the connection; the rate is measured over the rest.
  const warmup = Math.floor(messages / 10);
  let startedAt = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const received = (count) => {
    if (count === warmup) startedAt = performance.now();
    else if (count === messages) finish(performance.now());
  };
  const handle = await benchCase.subscriber({ port, messages, size, received });
  const endedAt = await finished;
  const seconds = (endedAt - startedAt) / 1000;
  process.send({ type: 'result', rate: (messages - warmup) / seconds, seconds, problem: handle.check() });
  await handle.close();
  process.exit(0);
}
