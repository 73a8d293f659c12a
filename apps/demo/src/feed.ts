// The market-data feed process: publishes ticks for a set of symbols on `md.ticks` at a steady
// total rate. Run it on its own with `node dist/feed.js --help`, or through the launcher.
import { randomBytes } from 'node:crypto';
import { clockDomainOf, monotonicNanoseconds, wallClockMilliseconds } from './clock.js';
import { MAX_RECORD_BYTES, encodeTick } from './codec.js';
import { usage } from './command-line.js';
import { createDemoBus } from './demo-bus.js';
import { FEED_OPTIONS, parseFeedOptions } from './demo-options.js';
import { MarketSimulator } from './market-simulator.js';
import { optionsOrExit, processLog, stopOnSignals } from './process-lifecycle.js';
import { TickSchedule } from './tick-schedule.js';
import { TOPICS } from './topics.js';

const USAGE = usage(
  'node apps/demo/dist/feed.js',
  `The Seamless demo's market-data feed: ticks (bid, ask, last, size) for a set of symbols as a random walk,\npublished on ${TOPICS.ticks} in a compact binary format.`,
  FEED_OPTIONS,
);
const REPORT_INTERVAL_MS = 10_000;

const options = optionsOrExit(() => parseFeedOptions(process.argv.slice(2), process.env), USAGE);
const log = processLog();
const bus = await createDemoBus(options, log);
const clockDomain = clockDomainOf(bus.identity.bootId);
const source = randomBytes(4).readUInt32LE(0);
const publisher = await bus.publisher(TOPICS.ticks, { policy: 'latest', maxMessageSize: MAX_RECORD_BYTES });
const market = new MarketSimulator({ symbols: options.symbols, seed: options.seed });
const schedule = new TickSchedule(options.rate, performance.now());
const scratch = new Uint8Array(MAX_RECORD_BYTES);

log.info(
  `feed: ${options.symbols.length} symbols (${options.symbols.join(' ')}) at ${options.rate} ticks/s on ${TOPICS.ticks} ` +
    `over ${bus.transports.join(' + ')}; publisher ${publisher.publisherId}, pid ${process.pid}, seed ${options.seed}`,
);

let sent = 0;
const pump = setInterval(() => {
  const now = performance.now();
  for (let due = schedule.due(now); due > 0; due--) {
    const quote = market.next(now / 1000);
    // Under the 'latest' policy send() never refuses: a reader that falls behind skips ahead.
    publisher.send(
      encodeTick({ ...quote, timestamp: wallClockMilliseconds(), sentAt: monotonicNanoseconds(), clockDomain, source }, scratch),
    );
    sent++;
  }
}, 1);

let subscribers = 0;
const watch = setInterval(() => {
  if (publisher.subscriberCount !== subscribers) {
    subscribers = publisher.subscriberCount;
    log.info(`feed: ${subscribers} subscriber${subscribers === 1 ? '' : 's'} attached`);
  }
}, 250);

let reportedSent = 0;
const report = setInterval(() => {
  log.info(`feed: ${sent - reportedSent} ticks in the last ${REPORT_INTERVAL_MS / 1000} s (${sent} in all), ${subscribers} subscribers`);
  reportedSent = sent;
}, REPORT_INTERVAL_MS);

stopOnSignals(log, async () => {
  clearInterval(pump);
  clearInterval(watch);
  clearInterval(report);
  await bus.close();
  log.info(`feed: stopped after ${sent} ticks`);
});
