// The dashboard process: subscribes to the ticks, the orders, the fills and the algorithm's
// statistics, measures every stream (transport, rate, end-to-end latency), and serves the live
// dashboard on 127.0.0.1 with updates over a WebSocket. Run it on its own with
// `node dist/dashboard-server.js --help`.
import { hostname } from 'node:os';
import type { Message, Subscriber } from '@seamless/seamless';
import { decodeAlgoStats } from './algo-stats.js';
import { clockDomainOf, monotonicNanoseconds, wallClockMilliseconds } from './clock.js';
import { decodeFill, decodeOrder, decodeTick } from './codec.js';
import { usage } from './command-line.js';
import type { ServerView, StreamRow } from './dashboard-protocol.js';
import { DashboardState } from './dashboard-state.js';
import { createDemoBus } from './demo-bus.js';
import { DASHBOARD_OPTIONS, parseDashboardOptions } from './demo-options.js';
import { optionsOrExit, processLog, stopOnSignals } from './process-lifecycle.js';
import { StreamMonitor } from './stream-monitor.js';
import { algoTicksRow, subscriptionRow } from './stream-rows.js';
import type { StreamIdentity } from './stream-rows.js';
import { TOPICS } from './topics.js';
import { DashboardWebServer, loadWebAssets } from './web-server.js';

const USAGE = usage(
  'node apps/demo/dist/dashboard-server.js',
  "The Seamless demo's dashboard: prices, charts, orders, P&L and, for every stream, the transport (shm/tcp),\n" +
    'the message rate and the end-to-end latency, live in the browser.',
  DASHBOARD_OPTIONS,
);
const SAMPLE_INTERVAL_MS = 250;
const WINDOW_INTERVAL_MS = 1000;
const PUSH_INTERVAL_MS = 100;

const options = optionsOrExit(() => parseDashboardOptions(process.argv.slice(2), process.env), USAGE);
const log = processLog();
const assets = await loadWebAssets(new URL('../web/', import.meta.url), new URL('./web/', import.meta.url)).catch((error: unknown) => {
  log.error((error as Error).message);
  process.exit(1);
});
const bus = await createDemoBus(options, log);
const clockDomain = clockDomainOf(bus.identity.bootId);
const startedAt = wallClockMilliseconds();
const state = new DashboardState({ netNamespace: bus.identity.netNamespace });

interface Stream {
  readonly identity: StreamIdentity;
  readonly subscriber: Subscriber;
  readonly monitor: StreamMonitor;
}

// Subscribes to `topic`; `handle` decodes a message and returns the sender's clock reading
// and domain for the latency (it throws on a malformed message, which is counted and ignored).
async function follow(
  identity: StreamIdentity,
  handle: (message: Message) => { readonly sentAt: number; readonly clockDomain: number },
): Promise<Stream> {
  const subscriber = await bus.subscriber(identity.topic);
  const monitor = new StreamMonitor(performance.now());
  subscriber.on('publisher-added', (route) => {
    log.info(`dashboard: ${identity.topic} from ${route.publisherId} over ${route.transport} (${route.reason})`);
  });
  subscriber.on('publisher-removed', (route, reason) => {
    log.info(`dashboard: ${identity.topic} publisher ${route.publisherId} is gone (${reason})`);
  });
  subscriber.on('publisher-unreachable', (publisherId, reason) => {
    log.warn(`dashboard: cannot reach ${identity.topic} publisher ${publisherId}: ${reason}`);
  });
  subscriber.on('message', (message) => {
    const received = monotonicNanoseconds();
    let sender: { readonly sentAt: number; readonly clockDomain: number };
    try {
      sender = handle(message);
    } catch {
      monitor.recordMalformed();
      return;
    }
    monitor.record(message, sender.clockDomain === clockDomain ? received - sender.sentAt : undefined);
  });
  return { identity, subscriber, monitor };
}

const streams: Stream[] = [
  await follow({ id: 'ticks-to-dashboard', topic: TOPICS.ticks, from: 'feed', to: 'dashboard' }, (message) => {
    const tick = decodeTick(message.data);
    state.onTick(tick);
    return tick;
  }),
  await follow({ id: 'orders', topic: TOPICS.orders, from: 'algo', to: 'dashboard' }, (message) => {
    const order = decodeOrder(message.data);
    state.onOrder(order);
    return { sentAt: order.decidedAt, clockDomain: order.clockDomain };
  }),
  await follow({ id: 'fills', topic: TOPICS.fills, from: 'algo', to: 'dashboard' }, (message) => {
    const fill = decodeFill(message.data);
    state.onFill(fill);
    return fill;
  }),
  await follow({ id: 'stats', topic: TOPICS.stats, from: 'algo', to: 'dashboard' }, (message) => {
    const stats = decodeAlgoStats(message.data);
    state.onStats(stats, Date.now());
    return stats;
  }),
];

function serverView(): ServerView {
  return { pid: process.pid, hostname: hostname(), netNamespace: bus.identity.netNamespace, startedAt, clients: web.clients };
}

const web = await DashboardWebServer.start({
  port: options.port,
  assets,
  snapshot: () => state.snapshot(Date.now(), serverView()),
  log,
}).catch(async (error: unknown) => {
  log.error((error as Error).message);
  await bus.close();
  process.exit(1);
});

const sampleTimer = setInterval(() => {
  state.sample(Date.now());
}, SAMPLE_INTERVAL_MS);
const windowTimer = setInterval(() => {
  const now = performance.now();
  const rows: StreamRow[] = [
    algoTicksRow(state.algoStats(Date.now())),
    ...streams.map((stream) => subscriptionRow(stream.identity, stream.monitor.takeWindow(now), stream.subscriber.routes())),
  ];
  state.setStreams(rows);
}, WINDOW_INTERVAL_MS);
const pushTimer = setInterval(() => {
  web.broadcast(state.takeUpdate(Date.now(), serverView()));
}, PUSH_INTERVAL_MS);

log.info(`dashboard: ${web.url} (pid ${process.pid}); open it in a browser`);

stopOnSignals(log, async () => {
  clearInterval(sampleTimer);
  clearInterval(windowTimer);
  clearInterval(pushTimer);
  await web.close();
  await bus.close();
});
