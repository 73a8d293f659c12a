// The trading algorithm process: subscribes to every symbol's ticks (`md.>`), runs a
// moving-average crossover with position limits, publishes its orders and fills, measures
// tick-to-decision latency and publishes its statistics, each publisher keeping what a
// dashboard opened late needs. Run it on its own with `node dist/algo.js --help`.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Message, Publisher, TransportKind } from '@seamless/seamless';
import { encodeAlgoStats } from './algo-stats.js';
import type { AlgoStats } from './algo-stats.js';
import { Audience } from './audience.js';
import { clockDomainOf, monotonicNanoseconds, wallClockMilliseconds } from './clock.js';
import { encodeFill, encodeOrder } from './codec.js';
import type { Tick } from './codec.js';
import { usage } from './command-line.js';
import { createDemoBus } from './demo-bus.js';
import { ALGO_OPTIONS, parseAlgoOptions } from './demo-options.js';
import { HistoryDetector } from './history-detector.js';
import { LatencyRecorder } from './latency-recorder.js';
import { Outbox } from './outbox.js';
import { optionsOrExit, processLog, stopOnSignals } from './process-lifecycle.js';
import { RouteLog } from './route-log.js';
import { StreamMonitor } from './stream-monitor.js';
import { PUBLISHER_OPTIONS, TOPICS, decodeTickMessage } from './topics.js';
import { TradingEngine } from './trading-engine.js';

const USAGE = usage(
  'node apps/demo/dist/algo.js',
  `The Seamless demo's trading algorithm: a moving-average crossover on every symbol's ticks (${TOPICS.ticks}) with position and gross-exposure\n` +
    `limits; publishes ${TOPICS.orders}, ${TOPICS.fills} and its statistics on ${TOPICS.stats}.`,
  ALGO_OPTIONS,
);
const STATS_INTERVAL_MS = 500;
const REPORT_INTERVAL_MS = 10_000;

const options = optionsOrExit(() => parseAlgoOptions(process.argv.slice(2), process.env), USAGE);
const log = processLog();
const bus = await createDemoBus(options, log);
const clockDomain = clockDomainOf(bus.identity.bootId);
// Pairs each fill with its order, and tells this run's order 1 from a previous run's.
const source = randomBytes(4).readUInt32LE(0);
const startedAt = wallClockMilliseconds();
const engine = new TradingEngine(options.strategy);
const ticks = new StreamMonitor(performance.now());
const decisionLatency = new LatencyRecorder();
let fillCount = 0;

const outboxOptions = {
  onDrop: (dropped: number) => {
    log.warn(`a subscriber has not read for a long time: ${dropped} messages dropped`);
  },
  onError: (error: unknown) => {
    log.error(`sending failed: ${(error as Error).message}`);
  },
};
const audience = new Audience((change) => {
  log.info(`algo: ${change.subscriber} ${change.type === 'joined' ? 'attached' : 'detached'}; ${change.size} in all`);
});
// Tells the audience of a publisher (the dashboards) apart by process, not by topic.
function heard(publisher: Publisher): Publisher {
  publisher.on('subscriber-added', (info) => {
    audience.added(publisher.topic, info);
  });
  publisher.on('subscriber-removed', (info) => {
    audience.removed(publisher.topic, info);
  });
  return publisher;
}
const orders = new Outbox(heard(await bus.publisher(TOPICS.orders, PUBLISHER_OPTIONS.orders)), outboxOptions);
const fills = new Outbox(heard(await bus.publisher(TOPICS.fills, PUBLISHER_OPTIONS.fills)), outboxOptions);
const statsPublisher = heard(await bus.publisher(TOPICS.stats, PUBLISHER_OPTIONS.stats));
const subscriber = await bus.subscriber(TOPICS.ticks, { idle: options.idle });
const history = new HistoryDetector();
const routeLog = new RouteLog(
  `algo: ${TOPICS.ticks}`,
  (line) => {
    log.info(subscriber.routes().length === 0 ? `${line}; waiting for a feed` : line);
  },
  { publishers: () => subscriber.routes().length },
);

subscriber.on('publisher-added', (route) => {
  history.attached(route.publisherId, monotonicNanoseconds());
  routeLog.added(route);
});
subscriber.on('publisher-removed', (route, reason) => {
  history.detached(route.publisherId);
  routeLog.removed(route, reason);
});
subscriber.on('publisher-unreachable', (publisherId, reason) => {
  log.warn(`algo: cannot reach feed publisher ${publisherId}: ${reason}`);
});
subscriber.on('message', onTick);

function onTick(message: Message): void {
  const received = monotonicNanoseconds();
  let tick: Tick;
  try {
    tick = decodeTickMessage(message);
  } catch {
    ticks.recordMalformed();
    return;
  }
  const sameClock = tick.clockDomain === clockDomain;
  // The last tick of each symbol, kept by its publisher, comes first: the current price,
  // traded on like any other, but how old it is says nothing of the latency.
  const fromHistory = sameClock && history.fromHistory(message.publisherId, tick.sentAt);
  const timed = sameClock && !fromHistory;
  if (fromHistory) ticks.recordHistory(message);
  else ticks.record(message, timed ? received - tick.sentAt : undefined);
  // The strategy runs on the feed's clock, so a replayed market trades the same way.
  const decision = engine.onTick(tick, tick.timestamp, message.publisherId);
  const decidedAt = monotonicNanoseconds();
  if (timed) decisionLatency.record(decidedAt - tick.sentAt);
  if (decision === undefined) return;
  const timestamp = wallClockMilliseconds();
  const { orderId, symbol, side, fill } = decision;
  orders.send(
    encodeOrder({
      orderId,
      symbol,
      side,
      quantity: decision.quantity,
      price: decision.price,
      status: decision.status,
      signal: decision.signal,
      limit: decision.limit,
      timestamp,
      decidedAt,
      tickSentAt: tick.sentAt,
      clockDomain,
      source,
    }),
  );
  if (fill === undefined) return;
  fillCount++;
  fills.send(
    encodeFill({
      orderId,
      symbol,
      side,
      quantity: fill.quantity,
      price: fill.price,
      positionAfter: fill.positionAfter,
      realizedAfter: fill.realizedAfter,
      timestamp,
      sentAt: monotonicNanoseconds(),
      clockDomain,
      source,
    }),
  );
}

const statsTimer = setInterval(() => {
  const window = ticks.takeWindow(performance.now());
  const routes = subscriber.routes();
  const transports = new Set<TransportKind>([...routes.map((route) => route.transport), ...window.transports]);
  const totals = engine.book.totals();
  const stats: AlgoStats = {
    kind: 'algo-stats',
    version: 1,
    pid: process.pid,
    hostname: hostname(),
    netNamespace: bus.identity.netNamespace,
    startedAt,
    sentAt: monotonicNanoseconds(),
    clockDomain,
    ticks: {
      total: window.total,
      rate: window.rate,
      active: window.active,
      lost: window.lost,
      malformed: window.malformed,
      transports: [...transports].sort(),
      publishers: routes.length,
      topics: new Set(routes.map((route) => route.topic)).size,
      fromHistory: window.fromHistory,
      latency: window.latency,
    },
    decision: decisionLatency.takeSummary(),
    orders: { ...engine.counters, fills: fillCount },
    pnl: totals,
    positions: engine.book.positions(),
    strategy: engine.settings,
  };
  statsPublisher.send(encodeAlgoStats(stats));
}, STATS_INTERVAL_MS);

let reportedTicks = 0;
const reportTimer = setInterval(() => {
  const { accepted, rejected } = engine.counters;
  const { total } = engine.book.totals();
  log.info(
    `algo: ${ticks.total - reportedTicks} ticks in the last ${REPORT_INTERVAL_MS / 1000} s; ` +
      `${accepted} orders filled, ${rejected} rejected by limits; P&L ${total.toFixed(2)}`,
  );
  reportedTicks = ticks.total;
}, REPORT_INTERVAL_MS);

log.info(
  `algo: trading ${TOPICS.ticks} (fast ${options.strategy.fastMs} ms, slow ${options.strategy.slowMs} ms, ` +
    `$${options.strategy.targetNotional} a position, gross limit $${options.strategy.maxGrossNotional}); pid ${process.pid}`,
);

stopOnSignals(log, async () => {
  clearInterval(statsTimer);
  clearInterval(reportTimer);
  routeLog.close();
  orders.close();
  fills.close();
  await bus.close();
});
