// The dashboard process: subscribes with two patterns, `md.>` (every symbol's ticks) and
// `algo.>` (the algorithm's orders, fills and statistics, told apart by `message.topic`),
// receives first what their publishers kept for late joiners (each symbol's last tick, the
// latest statistics, recent orders and fills), measures every stream (transport, rate,
// end-to-end latency), and serves the live dashboard on 127.0.0.1 with updates over a
// WebSocket. Run it on its own with `node dist/dashboard-server.js --help`.
import { hostname } from 'node:os';
import type { Subscriber } from '@seamless/seamless';
import { decodeAlgoStats } from './algo-stats.js';
import { clockDomainOf, monotonicNanoseconds, wallClockMilliseconds } from './clock.js';
import { decodeFill, decodeOrder } from './codec.js';
import { usage } from './command-line.js';
import type { ServerView, StreamRow } from './dashboard-protocol.js';
import { DashboardState } from './dashboard-state.js';
import { createDemoBus } from './demo-bus.js';
import { DASHBOARD_OPTIONS, parseDashboardOptions } from './demo-options.js';
import { optionsOrExit, processLog, stopOnSignals } from './process-lifecycle.js';
import { RouteLog } from './route-log.js';
import { algoTicksRow } from './stream-rows.js';
import { SubscriptionStreams } from './subscription-streams.js';
import type { StreamSpec } from './subscription-streams.js';
import { TOPICS, decodeTickMessage } from './topics.js';
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

interface Followed {
  readonly subscriber: Subscriber;
  readonly streams: SubscriptionStreams;
  readonly routes: RouteLog;
}

// Subscribes to `pattern` and measures each of `specs` (a stream per topic, or one over them all).
async function follow(pattern: string, specs: readonly StreamSpec[]): Promise<Followed> {
  const subscriber = await bus.subscriber(pattern);
  const streams = new SubscriptionStreams(specs, {
    clockDomain,
    startMs: performance.now(),
    onUnknownTopic: (topic) => {
      log.warn(`dashboard: ignoring ${topic}: none of the dashboard's streams (${specs.map((spec) => spec.identity.topic).join(', ')})`);
    },
  });
  const routes = new RouteLog(
    `dashboard: ${pattern}`,
    (line) => {
      log.info(line);
    },
    { publishers: () => subscriber.routes().length },
  );
  subscriber.on('publisher-added', (route) => {
    streams.attached(route, monotonicNanoseconds());
    routes.added(route);
  });
  subscriber.on('publisher-removed', (route, reason) => {
    streams.detached(route);
    routes.removed(route, reason);
  });
  subscriber.on('publisher-unreachable', (publisherId, reason) => {
    log.warn(`dashboard: cannot reach ${pattern} publisher ${publisherId}: ${reason}`);
  });
  subscriber.on('message', (message) => {
    streams.receive(message, monotonicNanoseconds());
  });
  return { subscriber, streams, routes };
}

const followed: Followed[] = [
  await follow(TOPICS.ticks, [
    {
      identity: { id: 'ticks-to-dashboard', topic: TOPICS.ticks, from: 'feed', to: 'dashboard' },
      handle: (message) => {
        const tick = decodeTickMessage(message);
        state.onTick(tick);
        return tick;
      },
    },
  ]),
  await follow(TOPICS.algo, [
    {
      identity: { id: 'orders', topic: TOPICS.orders, from: 'algo', to: 'dashboard' },
      handle: (message) => {
        const order = decodeOrder(message.data);
        state.onOrder(order);
        return { sentAt: order.decidedAt, clockDomain: order.clockDomain };
      },
    },
    {
      identity: { id: 'fills', topic: TOPICS.fills, from: 'algo', to: 'dashboard' },
      handle: (message) => {
        const fill = decodeFill(message.data);
        state.onFill(fill);
        return fill;
      },
    },
    {
      identity: { id: 'stats', topic: TOPICS.stats, from: 'algo', to: 'dashboard' },
      handle: (message) => {
        const stats = decodeAlgoStats(message.data);
        state.onStats(stats, Date.now());
        return stats;
      },
    },
  ]),
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
    ...followed.flatMap(({ subscriber, streams }) => streams.rows(now, subscriber.routes())),
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
  for (const { routes } of followed) routes.close();
  await web.close();
  await bus.close();
});
