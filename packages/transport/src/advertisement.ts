import type { DeliveryPolicy } from './delivery-policy.js';
import type { HostIdentity } from './host-identity.js';
import { invalidAdvertisement } from './invalid-advertisement.js';
import type { TransportKind } from './transport-kind.js';

/**
 * The version of the {@link Advertisement} wire shape; bumped on any incompatible change. Still
 * 1 in contract v2: v2 opened `endpoints` to any transport kind without changing the JSON, so
 * each release reads the advertisements of the one before and after it.
 */
export const ADVERTISEMENT_VERSION = 1;

/**
 * How to reach one publisher, per transport: each transport that serves it puts one entry here,
 * keyed by its {@link TransportKind}, and is the only one that reads it (`Transport.parseEndpoint`).
 * An entry is plain JSON (an object); `parseAdvertisement` checks that much and freezes it, and
 * keeps entries of kinds this process does not know, so an advertisement from a newer release
 * still routes over the transports both ends have.
 *
 * @example
 * ```ts
 * const endpoints: Endpoints = {
 *   shm: { segment: '/seamless-1000-3f9a…', nonce: '0123456789abcdef0123456789abcdef' },
 *   tcp: { port: 40123, tls: false },
 * };
 * ```
 */
export type Endpoints = Readonly<Record<TransportKind, unknown>>;

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
  /**
   * How many of its latest messages the publisher retains for late joiners; absent when none.
   * Added in contract v2 as an optional field, so advertisements of the release before read
   * the same (no history).
   */
  readonly history?: number;
  /** The host and namespaces the publisher runs in. */
  readonly host: HostIdentity;
  /** IP addresses (textual, normalised) on which the publisher's host can be reached. */
  readonly addresses: readonly string[];
  /** How to reach the publisher, per transport kind (see {@link Endpoints}). */
  readonly endpoints: Endpoints;
}

/**
 * The entry of `kind` in an advertisement's endpoints, or `undefined`: an own field only, so
 * that a kind named like an `Object` method never reads the prototype.
 *
 * @example
 * ```ts
 * const entry = endpointOf(advertisement, 'tcp'); // { port: 40123, tls: false }
 * ```
 */
export function endpointOf(advertisement: Advertisement, kind: TransportKind): unknown {
  return Object.hasOwn(advertisement.endpoints, kind) ? advertisement.endpoints[kind] : undefined;
}

/**
 * The entry of `kind` in an advertisement's endpoints.
 *
 * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` when the publisher offers none: what every
 *   transport's `openSubscription` says for a publisher it cannot serve.
 */
export function requireEndpoint(advertisement: Advertisement, kind: TransportKind): unknown {
  const entry = endpointOf(advertisement, kind);
  if (entry === undefined) {
    throw invalidAdvertisement(`endpoints.${kind}`, `is missing: publisher ${advertisement.publisherId} offers no ${kind} endpoint`);
  }
  return entry;
}
