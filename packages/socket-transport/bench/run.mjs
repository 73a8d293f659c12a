// Throughput benchmark: 64-byte messages, one publisher process to one subscriber process over
// loopback, for @seamless/socket-transport, raw node:net (one write per message) and zeromq.js
// PUSH/PULL, interleaved in the same run, several rounds; prints medians and ratios. The
// raw-net-gathered case is a reference: hand-written batching with no transport around it.
//
//   npm run build -w @seamless/socket-transport && npm run bench -w @seamless/socket-transport
//   node bench/run.mjs --runs 7 --pin --cases seamless,raw-net,zeromq --size 64 --scale 0.5
// --pin runs the publisher on CPU 0 and the subscriber on CPU 1 (taskset); --scale multiplies
// each case's message count. SEAMLESS_BENCH_QUEUE_BYTES=n sets the seamless case's queue bounds.
// Besides messages/s (wall clock, sensitive to other load), each process reports its CPU time
// per message, which other load disturbs much less.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? fallback : argv[index + 1];
};
const runs = Number(option('runs', '5'));
const size = Number(option('size', '64'));
const pin = argv.includes('--pin');
const scale = Number(option('scale', '1'));
const cases = option('cases', 'seamless,raw-net,zeromq,raw-net-gathered').split(',');
const peer = fileURLToPath(new URL('peer.mjs', import.meta.url));

if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
  console.error('bench: build the package first (npm run build -w @seamless/socket-transport)');
  process.exit(1);
}

function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), idle: fields[3] + fields[4], steal: fields[7] ?? 0 };
}

function start(caseName, role, cpu, options) {
  const args = [peer, caseName, role];
  const command = pin ? 'taskset' : process.execPath;
  const commandArgs = pin ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawn(command, commandArgs, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_OPTIONS: JSON.stringify(options) },
  });
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`${caseName} ${role} exited with ${code} before "${type}"`)));
    });
  return { child, next };
}

async function runCase(caseName) {
  const { defaultMessages } = await import(`./cases/${caseName}.mjs`);
  const messages = Math.round(defaultMessages * scale);
  const publisher = start(caseName, 'publisher', 0, { messages, size });
  const timer = setTimeout(() => {
    publisher.child.kill('SIGKILL');
    subscriber?.child.kill('SIGKILL');
  }, 180_000);
  let subscriber;
  try {
    const { port } = await publisher.next('listening');
    subscriber = start(caseName, 'subscriber', 1, { messages, size, port });
    const [result, sent] = await Promise.all([subscriber.next('result'), publisher.next('sent')]);
    if (result.problem) throw new Error(`${caseName}: ${result.problem}`);
    return { rate: result.rate, publisherCpu: sent.cpuPerMessage, subscriberCpu: result.cpuPerMessage };
  } finally {
    clearTimeout(timer);
    publisher.child.send?.({ type: 'stop' });
    setTimeout(() => publisher.child.kill('SIGKILL'), 2000).unref();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const millions = (rate) => (rate / 1e6).toFixed(3);

const rates = Object.fromEntries(cases.map((name) => [name, []]));
const publisherCpu = Object.fromEntries(cases.map((name) => [name, []]));
const subscriberCpu = Object.fromEntries(cases.map((name) => [name, []]));
const loadBefore = os.loadavg();
const cpuBefore = cpuTimes();
for (let run = 1; run <= runs; run++) {
  for (const caseName of cases) {
    const { rate, publisherCpu: publisherNs, subscriberCpu: subscriberNs } = await runCase(caseName);
    rates[caseName].push(rate);
    publisherCpu[caseName].push(publisherNs);
    subscriberCpu[caseName].push(subscriberNs);
    console.error(
      `run ${run}/${runs} ${caseName}: ${millions(rate)} M msg/s, CPU per message: publisher ${publisherNs.toFixed(0)} ns, subscriber ${subscriberNs.toFixed(0)} ns`,
    );
  }
}
const cpuAfter = cpuTimes();
const loadAfter = os.loadavg();
const total = cpuAfter.total - cpuBefore.total;
const busyOthers = 100 * (1 - (cpuAfter.idle - cpuBefore.idle) / total);

console.log(`\n${size}-byte messages, 1 publisher -> 1 subscriber, separate processes, loopback`);
console.log(
  `node ${process.version}, ${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? 'unknown'}), ${runs} runs, ${pin ? 'pinned with taskset (publisher cpu 0, subscriber cpu 1)' : 'not pinned'}`,
);
console.log(
  `load average before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}; all CPUs busy ${busyOthers.toFixed(0)}% (this benchmark included), steal ${((100 * (cpuAfter.steal - cpuBefore.steal)) / total).toFixed(1)}% during the runs\n`,
);
console.log('| case | median M msg/s | min | max | runs (M msg/s) | CPU ns/msg publisher | CPU ns/msg subscriber |');
console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
for (const caseName of cases) {
  const values = rates[caseName];
  console.log(
    `| ${caseName} | ${millions(median(values))} | ${millions(Math.min(...values))} | ${millions(Math.max(...values))} | ` +
      `${values.map(millions).join(', ')} | ${median(publisherCpu[caseName]).toFixed(0)} | ${median(subscriberCpu[caseName]).toFixed(0)} |`,
  );
}
console.log("\n(CPU ns/msg: medians of user + system CPU time per message in each process; the publisher's includes connection set-up.)");
if (cases.includes('seamless')) {
  const base = median(rates.seamless);
  for (const caseName of cases.filter((name) => name !== 'seamless')) {
    console.log(`\nseamless / ${caseName}: ${(base / median(rates[caseName])).toFixed(1)}x (ratio of medians)`);
  }
}
