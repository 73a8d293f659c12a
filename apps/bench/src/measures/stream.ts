// One-way streaming (and fan-out): the sender sends as fast as the link accepts, honouring
// back-pressure, for the planned time; every receiver counts what arrives. The rate is taken
// at the receiver, between the first measured message and the last message.
import type { AsyncLink, DataHandler, EventLink, Link, SpinLink } from '../links/link.js';
import { Phase } from '../payloads.js';
import type { Payloads } from '../payloads.js';
import type { CpuMeter } from './cpu-meter.js';
import { SPINS_BETWEEN_CLOCK_READS, giveUpTime, timedOut } from './plan.js';
import type { Plan } from './plan.js';
import { sendSpinning } from './round-trip.js';

/** What the sender did; its CPU time runs until the coordinator asks (the receivers are done). */
export interface SendOutcome {
  readonly kind: 'send';
  /** Messages sent in the measured phase (the last message not included). */
  readonly messages: number;
}

/** What one receiver measured. */
export interface ReceiveOutcome {
  readonly kind: 'receive';
  /** Measured messages received. */
  readonly messages: number;
  readonly bytes: number;
  /** From the first measured message to the last message. */
  readonly seconds: number;
  /** Messages whose length was not the size sent (must be 0). */
  readonly wrongSizes: number;
}

// The sender reads the clock once every this many messages.
const MESSAGES_BETWEEN_CLOCK_READS = 63;

/** Sends for `plan`, then the last message. The CPU meter starts with the measured phase. */
export function sendStream(link: Link, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<SendOutcome> {
  switch (link.style) {
    case 'spin':
      return Promise.resolve(sendSpinningStream(link, payloads, plan, meter));
    case 'event':
      return sendEventStream(link, payloads, plan, meter);
    case 'async':
      return sendAsyncStream(link, payloads, plan, meter);
  }
}

/** Receives until the last message. */
export function receiveStream(link: Link, size: number, plan: Plan, meter: CpuMeter): Promise<ReceiveOutcome> {
  const counter = new StreamCounter(size, meter);
  switch (link.style) {
    case 'spin':
      return Promise.resolve(receiveSpinning(link, counter, plan));
    case 'event':
      return receiveOnEvents(link, counter, plan);
    case 'async':
      return receiveAsync(link, counter);
  }
}

// Switches payloads at the phase boundaries; `due()` is true when the clock must be read.
class SendSchedule {
  readonly #payloads: Payloads;
  readonly #meter: CpuMeter;
  readonly #warmEnd: number;
  readonly #end: number;
  payload: Uint8Array;
  sent = 0;
  #measuredFrom = -1;

  constructor(payloads: Payloads, plan: Plan, meter: CpuMeter) {
    this.#payloads = payloads;
    this.#meter = meter;
    this.#warmEnd = performance.now() + plan.warmupMs;
    this.#end = this.#warmEnd + plan.durationMs;
    this.payload = payloads.warmUp;
  }

  /** Reads the clock (every few messages); false once the measured phase is over. */
  goOn(): boolean {
    if ((this.sent & MESSAGES_BETWEEN_CLOCK_READS) !== 0) return true;
    const now = performance.now();
    if (this.#measuredFrom < 0) {
      if (now >= this.#warmEnd) {
        this.#measuredFrom = this.sent;
        this.payload = this.#payloads.measured;
        this.#meter.start();
      }
      return true;
    }
    return now < this.#end;
  }

  get measured(): number {
    return this.#measuredFrom < 0 ? 0 : this.sent - this.#measuredFrom;
  }
}

function sendSpinningStream(link: SpinLink, payloads: Payloads, plan: Plan, meter: CpuMeter): SendOutcome {
  const giveUpAt = giveUpTime(plan);
  const schedule = new SendSchedule(payloads, plan, meter);
  while (schedule.goOn()) {
    sendSpinning(link, schedule.payload, giveUpAt);
    schedule.sent++;
  }
  sendSpinning(link, payloads.last, giveUpAt);
  return { kind: 'send', messages: schedule.measured };
}

async function sendEventStream(link: EventLink, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<SendOutcome> {
  const schedule = new SendSchedule(payloads, plan, meter);
  while (schedule.goOn()) {
    while (!link.send(schedule.payload)) await link.drained();
    schedule.sent++;
  }
  while (!link.send(payloads.last)) await link.drained();
  return { kind: 'send', messages: schedule.measured };
}

async function sendAsyncStream(link: AsyncLink, payloads: Payloads, plan: Plan, meter: CpuMeter): Promise<SendOutcome> {
  const schedule = new SendSchedule(payloads, plan, meter);
  while (schedule.goOn()) {
    await link.send(schedule.payload);
    schedule.sent++;
  }
  await link.send(payloads.last);
  return { kind: 'send', messages: schedule.measured };
}

// Counts what a receiver gets; `take` is the per-message handler.
class StreamCounter {
  readonly #size: number;
  readonly #meter: CpuMeter;
  messages = 0;
  bytes = 0;
  wrongSizes = 0;
  #done = false;
  #first = 0;
  #last = 0;

  constructor(size: number, meter: CpuMeter) {
    this.#size = size;
    this.#meter = meter;
  }

  readonly take: DataHandler = (data) => {
    if (data.length !== this.#size) this.wrongSizes++;
    const phase = data[0];
    if (phase === Phase.measured) {
      if (this.messages === 0) {
        this.#first = performance.now();
        this.#meter.start();
      }
      this.messages++;
      this.bytes += data.length;
    } else if (phase === Phase.last) {
      this.#last = performance.now();
      this.#done = true;
    }
  };

  /** Whether the last message arrived. */
  isDone(): boolean {
    return this.#done;
  }

  outcome(): ReceiveOutcome {
    this.#meter.stop();
    return {
      kind: 'receive',
      messages: this.messages,
      bytes: this.bytes,
      seconds: (this.#last - this.#first) / 1000,
      wrongSizes: this.wrongSizes,
    };
  }
}

function receiveSpinning(link: SpinLink, counter: StreamCounter, plan: Plan): ReceiveOutcome {
  const giveUpAt = giveUpTime(plan);
  let spins = 0;
  while (!counter.isDone()) {
    if (link.poll(counter.take) === 0 && (++spins & SPINS_BETWEEN_CLOCK_READS) === 0 && performance.now() > giveUpAt) {
      throw timedOut('receive');
    }
  }
  return counter.outcome();
}

function receiveOnEvents(link: EventLink, counter: StreamCounter, plan: Plan): Promise<ReceiveOutcome> {
  return new Promise<ReceiveOutcome>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        reject(timedOut('receive'));
      },
      giveUpTime(plan) - performance.now(),
    );
    link.listen((data) => {
      if (counter.isDone()) return;
      counter.take(data);
      if (counter.isDone()) {
        clearTimeout(timer);
        resolve(counter.outcome());
      }
    });
  });
}

async function receiveAsync(link: AsyncLink, counter: StreamCounter): Promise<ReceiveOutcome> {
  while (!counter.isDone()) counter.take(await link.receive());
  return counter.outcome();
}
