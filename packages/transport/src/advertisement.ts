import type { DeliveryPolicy } from './delivery-policy.js';
import type { HostIdentity } from './host-identity.js';

/** The version of the {@link Advertisement} shape; bumped on any incompatible change. */
export const ADVERTISEMENT_VERSION = 1;

/**
 * Where a publication can be reached over shared memory: the segment's name and the random
 * nonce written into its header. A subscriber that opens the segment and finds the same
 * nonce knows it shares memory with the publisher (not merely a segment of the same name in
 * another container).
 */
export interface ShmEndpoint {
  /** The segment name as passed to `shm_open` (starts with `/`). */
  readonly segment: string;
  /** 32 hexadecimal digits, random per segment. */
  readonly nonce: string;
}

/** Where a publication can be reached over TCP: the listening port (on `addresses`). */
export interface TcpEndpoint {
  /** The TCP port, 1..65535. */
  readonly port: number;
  /** Whether the listener speaks TLS. */
  readonly tls: boolean;
}

/** The endpoints of one publisher, one per transport that serves it. */
export interface Endpoints {
  readonly shm?: ShmEndpoint;
  readonly tcp?: TcpEndpoint;
}

/**
 * What a publisher tells the world through a resolver: who it is, where it runs and how to
 * reach it. The paper's "topic resolution" maps a topic name to these.
 *
 * @example
 * ```ts
 * const advertisement: Advertisement = {
 *   version: 1,
 *   topic: 'md.AAPL',
 *   publisherId: 'p-5f2b9c4d0a1e7f36',
 *   policy: 'reliable',
 *   maxMessageSize: 65536,
 *   host: { bootId: 'b1', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[2]', hostname: 'h' },
 *   addresses: ['192.168.1.20', '127.0.0.1'],
 *   endpoints: { tcp: { port: 40123, tls: false } },
 * };
 * ```
 */
export interface Advertisement {
  /** Always {@link ADVERTISEMENT_VERSION}. */
  readonly version: typeof ADVERTISEMENT_VERSION;
  /** A valid topic name (see `validateTopic`). */
  readonly topic: string;
  /** Unique per publisher instance: 1 to 64 characters of `[A-Za-z0-9_-]`. */
  readonly publisherId: string;
  /** The publisher's delivery policy. */
  readonly policy: DeliveryPolicy;
  /** The largest payload, in bytes, the publisher will ever send. */
  readonly maxMessageSize: number;
  /** The host and namespaces the publisher runs in. */
  readonly host: HostIdentity;
  /** IP addresses (textual, normalised) on which the publisher's host can be reached. */
  readonly addresses: readonly string[];
  /** How to reach the publisher, per transport. */
  readonly endpoints: Endpoints;
}
