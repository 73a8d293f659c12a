// Helpers shared by this package's tests (not shipped: test/ is not in the package's files).
import type { Advertisement, HostIdentity, Message, SeamlessError, SubscriptionListener } from '@seamless/transport';
import { advertisementOf } from '@seamless/test-support';
import type { SocketPublication, SocketSubscription } from '../src/index.js';

/** An identity that makes loopback addresses usable (same boot id and network namespace). */
export const identity: HostIdentity = Object.freeze({
  bootId: 'test-boot',
  ipcNamespace: 'ipc:[1]',
  netNamespace: 'net:[1]',
  hostname: 'test-host',
});

/** The advertisement the facade would publish for `publication`, on loopback. */
export function advertisementFor(publication: SocketPublication, overrides: Partial<Advertisement> = {}): Advertisement {
  return advertisementOf(publication, { host: identity, addresses: ['127.0.0.1'], ...overrides });
}

/** A received message, copied out of the transport's buffers. */
export interface Received {
  readonly seq: number;
  readonly lost: number;
  readonly data: Uint8Array;
  readonly transport: string;
  readonly topic: string;
  readonly publisherId: string;
}

/** A listener that polls everything into `messages` as soon as it is told to. */
export class Collector implements SubscriptionListener {
  readonly messages: Received[] = [];
  ended_: SeamlessError | undefined;
  readableCalls = 0;
  subscription: SocketSubscription | undefined;
  /** When false, readable() is counted but nothing is polled (a stalled consumer). */
  polling = true;

  readonly readable = (): void => {
    this.readableCalls++;
    if (this.polling) this.drain();
  };

  readonly ended = (reason: SeamlessError): void => {
    this.ended_ = reason;
  };

  /** Polls until poll() returns 0. */
  drain(): void {
    const subscription = this.subscription;
    if (subscription === undefined) throw new Error('Collector.subscription is not set');
    while (subscription.poll(this.#handle) > 0);
  }

  readonly #handle = (message: Message): void => {
    this.messages.push({
      seq: message.seq,
      lost: message.lost,
      data: message.data.slice(),
      transport: message.transport,
      topic: message.topic,
      publisherId: message.publisherId,
    });
  };
}

/** Resolves once `predicate` holds, checking every few milliseconds; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A small pause for the event loop (never an assertion on time). */
export function tick(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether two byte arrays hold the same bytes (fast, unlike a deep equality on typed arrays). */
export function sameBytes(actual: Uint8Array | undefined, expected: Uint8Array): boolean {
  if (actual === undefined) return false;
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected);
}

/** A HELLO exactly as protocol version 1 wrote it: magic, version 1, flags 0, heartbeat timeout 0, topic, publisher id. */
export function helloOfVersion1(topic: string, publisherId: string): Buffer {
  const topicBytes = Buffer.from(topic);
  const fields = Buffer.concat([Buffer.from([topicBytes.length]), topicBytes, Buffer.from([publisherId.length]), Buffer.from(publisherId)]);
  const body = Buffer.concat([Buffer.from('SMLS'), Buffer.from([1, 0, 0, 0, 0, 0]), fields]);
  return Buffer.concat([Buffer.from([0, 0, 0, 1 + body.length, 1]), body]);
}

/** The REJECT a publisher of protocol version 1 answers a HELLO of another version with. */
export function versionRejectOfVersion1(version: number): Buffer {
  const text = Buffer.from(`protocol version ${version} is not supported; this publisher speaks version 1`);
  const body = Buffer.concat([Buffer.from('SMLS'), Buffer.from([1, 3]), text]);
  return Buffer.concat([Buffer.from([0, 0, 0, 1 + body.length, 3]), body]);
}
