// The market-data feed process: publishes ticks for a set of symbols at a steady total rate,
// each symbol on its own topic `md.<SYMBOL>` whose publisher keeps the last tick for late
// joiners. Run it on its own with `node dist/feed.js --help`, or through the launcher.
import { randomBytes } from 'node:crypto';
import type { Publisher } from '@seamless/seamless';
import { Audience } from './audience.js';
import { clockDomainOf, monotonicNanoseconds, wallClockMilliseconds } from './clock.js';
import { MAX_RECORD_BYTES, encodeTick } from './codec.js';
import { usage } from './command-line.js';
import { createDemoBus } from './demo-bus.js';
import { FEED_OPTIONS, parseFeedOptions } from './demo-options.js';
import { MarketSimulator } from './market-simulator.js';
import { optionsOrExit, processLog, stopOnSignals } from './process-lifecycle.js';
import { TickSchedule } from './tick-schedule.js';
import { PUBLISHER_OPTIONS, TICK_TOPIC_PREFIX, tickTopic } from './topics.js';

const USAGE = usage(
  'node apps/demo/dist/feed.js',
  `The Seamless demo's market-data feed: ticks (bid, ask, last, size) for a set of symbols as a random walk,\neach published on ${TICK_TOPIC_PREFIX}<SYMBOL> in a compact binary format, the last tick of each kept for late joiners.`,
  FEED_OPTIONS,
);
const REPORT_INTERVAL_MS = 10_000;

const options = optionsOrExit(() => parseFeedOptions(process.argv.slice(2), process.env), USAGE);
const log = processLog();
const bus = await createDemoBus(options, log);
const clockDomain = clockDomainOf(bus.identity.bootId);
const source = randomBytes(4).readUInt32LE(0);
const audience = new Audience((change) => {
  log.info(`feed: ${change.subscriber} ${change.type === 'joined' ? 'attached' : 'detached'}; ${subscribersText(change.size)}`);
});
// One publisher per symbol: each is the symbol's last value cache.
const publishers = new Map<string, Publisher>();
for (const symbol of options.symbols) {
  const publisher = await bus.publisher(tickTopic(symbol), PUBLISHER_OPTIONS.tick);
  publisher.on('subscriber-added', (info) => {
    audience.added(publisher.topic, info);
  });
  publisher.on('subscriber-removed', (info) => {
    audience.removed(publisher.topic, info);
  });
  publishers.set(symbol, publisher);
}
const market = new MarketSimulator({ symbols: options.symbols, seed: options.seed });
const schedule = new TickSchedule(options.rate, performance.now());
const scratch = new Uint8Array(MAX_RECORD_BYTES);

log.info(
  `feed: ${options.symbols.length} symbols (${options.symbols.join(' ')}) at ${options.rate} ticks/s on ${TICK_TOPIC_PREFIX}<SYMBOL> ` +
    `over ${bus.transports.join(' + ')}; pid ${process.pid}, seed ${options.seed}`,
);

let sent = 0;
const pump = setInterval(() => {
  const now = performance.now();
  for (let due = schedule.due(now); due > 0 && sent < options.ticks; due--) {
    const quote = market.next(now / 1000);
    // Under the 'latest' policy send() never refuses: a reader that falls behind skips ahead.
    publishers
      .get(quote.symbol)
      ?.send(encodeTick({ ...quote, timestamp: wallClockMilliseconds(), sentAt: monotonicNanoseconds(), clockDomain, source }, scratch));
    sent++;
  }
  if (sent >= options.ticks) {
    clearInterval(pump);
    log.info(`feed: the market closed after ${sent} ticks; each symbol's last tick stays published for late joiners`);
  }
}, 1);

let reportedSent = 0;
const report = setInterval(() => {
  log.info(
    `feed: ${sent - reportedSent} ticks in the last ${REPORT_INTERVAL_MS / 1000} s (${sent} in all), ${subscribersText(audience.size)}`,
  );
  reportedSent = sent;
}, REPORT_INTERVAL_MS);

stopOnSignals(log, async () => {
  clearInterval(pump);
  clearInterval(report);
  await bus.close();
  log.info(`feed: stopped after ${sent} ticks`);
});

function subscribersText(count: number): string {
  return `${count} subscriber${count === 1 ? '' : 's'}`;
}
