// Discovery latency of the resolvers, each next to a baseline of the raw mechanism it is built
// on, measured in the same run. Not a test: run it with `npm run bench -w @seamless/topic-resolver`
// (after a build). Traffic stays on the loopback interface; files go to a temporary directory.
//
//   host: advertise -> 'added'       vs  write + rename of a file -> fs.watch event
//   host: kill -9 -> 'removed'       vs  the configured re-scan interval (what bounds it)
//   multicast: new resolver -> 'added' of an existing publisher (start-up query)
//                                    vs  one raw query/answer exchange over multicast
//   multicast: revoke -> 'removed'   vs  one raw multicast datagram, send -> receive
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostResolver, MulticastResolver } from '@seamless/topic-resolver';

const runs = Number(process.env.RUNS ?? 15);
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p90 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
const advertisement = (publisherId) => ({
  version: 1,
  topic: 'bench.topic',
  publisherId,
  policy: 'reliable',
  maxMessageSize: 1024,
  host: { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' },
  addresses: ['127.0.0.1'],
  endpoints: { tcp: { port: 40000, tls: false } },
});

/** The first event of `type` for `publisherId` on an already running watch. */
function nextEvent(events, type, publisherId) {
  return new Promise((resolve) => events.waiters.push({ type, publisherId, resolve }));
}

function startWatch(resolver) {
  const controller = new AbortController();
  const events = { waiters: [], controller };
  void (async () => {
    for await (const event of resolver.watch('bench.topic', controller.signal)) {
      const at = now();
      events.waiters = events.waiters.filter((waiter) => {
        if (waiter.type !== event.type || waiter.publisherId !== event.advertisement.publisherId) return true;
        waiter.resolve(at);
        return false;
      });
    }
  })();
  return events;
}

async function hostAdvertise(directory) {
  const publisher = new HostResolver({ directory });
  const subscriber = new HostResolver({ directory });
  const events = startWatch(subscriber);
  await sleep(100);
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const id = `h${run}`;
    const seen = nextEvent(events, 'added', id);
    const start = now();
    const lease = await publisher.advertise(advertisement(id));
    samples.push((await seen) - start);
    await lease.revoke();
    await sleep(20);
  }
  events.controller.abort();
  await publisher.close();
  await subscriber.close();
  return samples;
}

async function rawFileWatch(directory) {
  const samples = [];
  let resolveEvent;
  const watcher = watch(directory, (_, name) => {
    if (name?.startsWith('raw-') && name.endsWith('.json')) resolveEvent?.(now());
  });
  for (let run = 0; run < runs; run += 1) {
    const seen = new Promise((resolve) => (resolveEvent = resolve));
    const start = now();
    await writeFile(join(directory, `.raw-${run}.tmp`), '{"x":1}');
    await rename(join(directory, `.raw-${run}.tmp`), join(directory, `raw-${run}.json`));
    samples.push((await seen) - start);
    await rm(join(directory, `raw-${run}.json`));
    await sleep(20);
  }
  watcher.close();
  return samples;
}

async function hostKill(directory, killRuns) {
  const subscriber = new HostResolver({ directory });
  const events = startWatch(subscriber);
  const agent = fileURLToPath(new URL('../test/fixtures/resolver-agent.mjs', import.meta.url));
  const samples = [];
  for (let run = 0; run < killRuns; run += 1) {
    const id = `k${run}`;
    const config = { kind: 'host', options: { directory, leaseMs: 60_000 }, advertise: [advertisement(id)], stdin: true };
    const child = spawn(process.execPath, [agent, JSON.stringify(config)], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = once(child, 'exit');
    await nextEvent(events, 'added', id);
    // A random phase against the re-scan timer, as a real crash would have.
    await sleep(Math.random() * 500);
    const removed = nextEvent(events, 'removed', id);
    const start = now();
    child.kill('SIGKILL');
    samples.push((await removed) - start);
    await exited;
  }
  events.controller.abort();
  await subscriber.close();
  return samples;
}

function multicastNetwork() {
  return {
    group: `239.255.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`,
    port: 20_000 + Math.floor(Math.random() * 10_000),
  };
}

async function multicastStartup() {
  const network = multicastNetwork();
  const options = { ...network, interfaces: ['127.0.0.1'], logger: { warn: (message) => console.error(message) } };
  const publisher = new MulticastResolver({ ...options, announceIntervalMs: 60_000, leaseMs: 120_000 });
  await publisher.advertise(advertisement('m-startup'));
  await sleep(400);
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const start = now();
    const subscriber = new MulticastResolver(options);
    const events = startWatch(subscriber);
    samples.push((await nextEvent(events, 'added', 'm-startup')) - start);
    events.controller.abort();
    await subscriber.close();
  }
  await publisher.close();
  return samples;
}

async function multicastGoodbye() {
  const network = multicastNetwork();
  const options = { ...network, interfaces: ['127.0.0.1'], leaseMs: 60_000 };
  const publisher = new MulticastResolver(options);
  const subscriber = new MulticastResolver(options);
  const events = startWatch(subscriber);
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const id = `g${run}`;
    const added = nextEvent(events, 'added', id);
    const lease = await publisher.advertise(advertisement(id));
    await added;
    await sleep(350); // past the announcement burst
    const removed = nextEvent(events, 'removed', id);
    const start = now();
    await lease.revoke();
    samples.push((await removed) - start);
  }
  events.controller.abort();
  await publisher.close();
  await subscriber.close();
  return samples;
}

async function rawMulticast(answer) {
  const network = multicastNetwork();
  const receiver = createSocket({ type: 'udp4', reuseAddr: true });
  receiver.bind({ port: network.port, address: network.group });
  await once(receiver, 'listening');
  receiver.addMembership(network.group, '127.0.0.1');
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const start = now();
    const sender = createSocket('udp4');
    sender.bind({ port: 0, address: '127.0.0.1' });
    await once(sender, 'listening');
    sender.setMulticastInterface('127.0.0.1');
    if (answer) {
      // Query/answer: the receiver answers to the group; a second member socket hears it.
      const listener = createSocket({ type: 'udp4', reuseAddr: true });
      listener.bind({ port: network.port + 1, address: network.group });
      await once(listener, 'listening');
      listener.addMembership(network.group, '127.0.0.1');
      receiver.once('message', () => sender.send('answer', network.port + 1, network.group));
      const heard = once(listener, 'message').then(() => now());
      sender.send('query', network.port, network.group);
      samples.push((await heard) - start);
      listener.close();
    } else {
      const heard = once(receiver, 'message').then(() => now());
      const sent = now();
      sender.send('hello', network.port, network.group);
      samples.push((await heard) - sent);
    }
    sender.close();
  }
  receiver.close();
  return samples;
}

const directory = await mkdtemp(join(tmpdir(), 'seamless-bench-'));
try {
  const rows = [];
  const row = (name, samples, baselineName, baseline) => {
    const ratio = baseline === undefined ? '' : (median(samples) / median(baseline)).toFixed(1);
    rows.push({
      case: name,
      'median ms': median(samples).toFixed(2),
      'p90 ms': p90(samples).toFixed(2),
      baseline: baselineName,
      'baseline median ms': baseline === undefined ? '' : median(baseline).toFixed(2),
      ratio,
    });
  };
  const rawFile = await rawFileWatch(directory);
  row('host: advertise -> added', await hostAdvertise(join(directory, 'registry')), 'write+rename -> fs.watch', rawFile);
  const killed = await hostKill(join(directory, 'registry'), Math.max(5, Math.floor(runs / 3)));
  row('host: kill -9 -> removed', killed, 're-scan interval (500 ms)', [500]);
  const rawQuery = await rawMulticast(true);
  row('multicast: new resolver -> added', await multicastStartup(), 'raw query/answer', rawQuery);
  const rawDatagram = await rawMulticast(false);
  row('multicast: revoke -> removed', await multicastGoodbye(), 'raw datagram', rawDatagram);
  console.log(`runs per case: ${runs} (kill -9: ${Math.max(5, Math.floor(runs / 3))}); node ${process.version}; loopback only`);
  console.table(rows);
} finally {
  await rm(directory, { recursive: true, force: true });
}
