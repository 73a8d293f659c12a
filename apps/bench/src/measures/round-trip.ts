// Ping-pong: the ping side sends one message and waits for its echo before sending the next;
// each round trip's time goes into an HDR histogram once the warm-up is over.
import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';
import type { AsyncLink, DataHandler, EventLink, Link, SpinLink } from '../links/link.js';
import { Phase } from '../payloads.js';
import type { Payloads } from '../payloads.js';
import { summarizeHistogram } from '../statistics.js';
import type { LatencySummary } from '../statistics.js';
import type { CpuMeter } from './cpu-meter.js';
import { OrderedSender } from './ordered-sender.js';
import { SPINS_BETWEEN_CLOCK_READS, giveUpTime, timedOut } from './plan.js';
import type { Plan } from './plan.js';

/** What the ping side measured. */
export interface PingOutcome {
  readonly kind: 'ping';
  readonly latency: LatencySummary;
  readonly roundTrips: number;
}

/** What the echo side measured. */
export interface EchoOutcome {
  readonly kind: 'echo';
  /** Measured messages echoed. */
  readonly roundTrips: number;
}

function newHistogram(): RecordableHistogram {
  // Nanoseconds, 1 ns to 60 s, 3 significant digits.
  return createHistogram({ lowest: 1, highest: 60e9, figures: 3 });
}

function nanoseconds(milliseconds: number): number {
  return Math.max(1, Math.round(milliseconds * 1e6));
}

/** Runs the ping side for `plan`, then sends the last message and waits for its echo. */
export function ping(link: Link, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<PingOutcome> {
  switch (link.style) {
    case 'spin':
      return Promise.resolve(pingSpinning(link, payloads, plan, meter));
    case 'event':
      return pingOnEvents(link, payloads, plan, meter);
    case 'async':
      return pingAsync(link, payloads, plan, meter);
  }
}

/** Echoes every message back until the last one (which is echoed too). */
export function echo(link: Link, plan: Plan, meter: CpuMeter): Promise<EchoOutcome> {
  switch (link.style) {
    case 'spin':
      return Promise.resolve(echoSpinning(link, plan, meter));
    case 'event':
      return echoOnEvents(link, plan, meter);
    case 'async':
      return echoAsync(link, meter);
  }
}

/** Sends on a spinning link, spinning while it is back-pressured. */
export function sendSpinning(link: SpinLink, data: Uint8Array, giveUpAt: number): void {
  let spins = 0;
  while (!link.send(data)) {
    if ((++spins & SPINS_BETWEEN_CLOCK_READS) === 0 && performance.now() > giveUpAt) throw timedOut('send');
  }
}

function pingSpinning(link: SpinLink, payloads: Payloads, plan: Plan, meter: CpuMeter): PingOutcome {
  const histogram = newHistogram();
  const giveUpAt = giveUpTime(plan);
  const warmEnd = performance.now() + plan.warmupMs;
  const end = warmEnd + plan.durationMs;
  let replies = 0;
  const onReply: DataHandler = () => {
    replies++;
  };
  const waitForReply = (): void => {
    let spins = 0;
    while (replies === 0) {
      if (link.poll(onReply) === 0 && (++spins & SPINS_BETWEEN_CLOCK_READS) === 0 && performance.now() > giveUpAt) {
        throw timedOut('ping');
      }
    }
    replies = 0;
  };
  let payload = payloads.warmUp;
  let measuring = false;
  let roundTrips = 0;
  for (;;) {
    const started = performance.now();
    sendSpinning(link, payload, giveUpAt);
    waitForReply();
    const ended = performance.now();
    if (measuring) {
      histogram.record(nanoseconds(ended - started));
      roundTrips++;
      if (ended >= end) break;
    } else if (ended >= warmEnd) {
      measuring = true;
      payload = payloads.measured;
      meter.start();
    }
  }
  meter.stop();
  sendSpinning(link, payloads.last, giveUpAt);
  waitForReply();
  return { kind: 'ping', latency: summarizeHistogram(histogram), roundTrips };
}

function pingOnEvents(link: EventLink, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<PingOutcome> {
  return new Promise<PingOutcome>((resolve, reject) => {
    const histogram = newHistogram();
    const timer = setTimeout(
      () => {
        reject(timedOut('ping'));
      },
      giveUpTime(plan) - performance.now(),
    );
    const sender = new OrderedSender(link, (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const warmEnd = performance.now() + plan.warmupMs;
    const end = warmEnd + plan.durationMs;
    let payload = payloads.warmUp;
    let measuring = false;
    let finishing = false;
    let roundTrips = 0;
    let started = 0;
    link.listen(() => {
      const ended = performance.now();
      if (finishing) {
        clearTimeout(timer);
        resolve({ kind: 'ping', latency: summarizeHistogram(histogram), roundTrips });
        return;
      }
      if (measuring) {
        histogram.record(nanoseconds(ended - started));
        roundTrips++;
        if (ended >= end) {
          meter.stop();
          finishing = true;
          sender.send(payloads.last);
          return;
        }
      } else if (ended >= warmEnd) {
        measuring = true;
        payload = payloads.measured;
        meter.start();
      }
      started = performance.now();
      sender.send(payload);
    });
    started = performance.now();
    sender.send(payload);
  });
}

async function pingAsync(link: AsyncLink, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<PingOutcome> {
  const histogram = newHistogram();
  const warmEnd = performance.now() + plan.warmupMs;
  const end = warmEnd + plan.durationMs;
  let payload = payloads.warmUp;
  let measuring = false;
  let roundTrips = 0;
  for (;;) {
    const started = performance.now();
    await link.send(payload);
    await link.receive();
    const ended = performance.now();
    if (measuring) {
      histogram.record(nanoseconds(ended - started));
      roundTrips++;
      if (ended >= end) break;
    } else if (ended >= warmEnd) {
      measuring = true;
      payload = payloads.measured;
      meter.start();
    }
  }
  meter.stop();
  await link.send(payloads.last);
  await link.receive();
  return { kind: 'ping', latency: summarizeHistogram(histogram), roundTrips };
}

function echoSpinning(link: SpinLink, plan: Plan, meter: CpuMeter): EchoOutcome {
  const giveUpAt = giveUpTime(plan);
  const state = { done: false };
  let roundTrips = 0;
  const onMessage: DataHandler = (data) => {
    const phase = data[0];
    if (phase === Phase.measured) {
      meter.start();
      roundTrips++;
    } else if (phase === Phase.last) {
      meter.stop();
      state.done = true;
    }
    sendSpinning(link, data, giveUpAt);
  };
  let spins = 0;
  while (!state.done) {
    if (link.poll(onMessage) === 0 && (++spins & SPINS_BETWEEN_CLOCK_READS) === 0 && performance.now() > giveUpAt) {
      throw timedOut('echo');
    }
  }
  return { kind: 'echo', roundTrips };
}

function echoOnEvents(link: EventLink, plan: Plan, meter: CpuMeter): Promise<EchoOutcome> {
  return new Promise<EchoOutcome>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        reject(timedOut('echo'));
      },
      giveUpTime(plan) - performance.now(),
    );
    const sender = new OrderedSender(link, (error) => {
      clearTimeout(timer);
      reject(error);
    });
    let roundTrips = 0;
    link.listen((data) => {
      const phase = data[0];
      if (phase === Phase.measured) {
        meter.start();
        roundTrips++;
      } else if (phase === Phase.last) {
        meter.stop();
        sender.send(data);
        clearTimeout(timer);
        resolve({ kind: 'echo', roundTrips });
        return;
      }
      sender.send(data);
    });
  });
}

async function echoAsync(link: AsyncLink, meter: CpuMeter): Promise<EchoOutcome> {
  let roundTrips = 0;
  for (;;) {
    const data = await link.receive();
    const phase = data[0];
    if (phase === Phase.measured) {
      meter.start();
      roundTrips++;
    } else if (phase === Phase.last) {
      meter.stop();
      await link.send(data);
      return { kind: 'echo', roundTrips };
    }
    await link.send(data);
  }
}
