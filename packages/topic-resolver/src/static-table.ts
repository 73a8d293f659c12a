import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { ADVERTISEMENT_VERSION, DELIVERY_POLICIES, ErrorCode, SeamlessError, parseAdvertisement, topicProblem } from '@seamless/transport';
import type { Advertisement, DeliveryPolicy } from '@seamless/transport';
import { checkAdvertisement } from './checked-advertisement.js';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import { describeValue as describe } from '@seamless/transport';

/**
 * A TCP endpoint in a static table: where a publisher of the topic listens. The resolver turns
 * it into an {@link Advertisement} with only a TCP endpoint, so subscribers connect over TCP.
 *
 * @example
 * ```ts
 * const endpoint: StaticEndpoint = { address: '10.0.0.5', port: 40123, tls: true };
 * ```
 */
export interface StaticEndpoint {
  /** An IPv4 or IPv6 address (host names are not resolved). */
  readonly address: string;
  /** The TCP port, 1..65535. */
  readonly port: number;
  /** Whether the listener speaks TLS (default `false`). */
  readonly tls?: boolean;
  /** The publisher id to report (default: `static-` and a hash of topic, address and port). */
  readonly publisherId?: string;
  /** The publisher's delivery policy (default `'reliable'`). */
  readonly policy?: DeliveryPolicy;
  /** The largest message the publisher sends (default {@link STATIC_DEFAULT_MAX_MESSAGE_SIZE}). */
  readonly maxMessageSize?: number;
}

/**
 * One entry of a static table: a complete {@link Advertisement} (recognised by its `version`
 * field), a {@link StaticEndpoint}, or an endpoint as text, `"10.0.0.5:40123"` or
 * `"[fd00::5]:40123"`.
 *
 * @example
 * ```ts
 * const entries: StaticEntry[] = ['10.0.0.5:40123', { address: 'fd00::5', port: 40123 }];
 * ```
 */
export type StaticEntry = Advertisement | StaticEndpoint | string;

/**
 * A static resolver's table: topic name -> the publishers of that topic. The same shape is the
 * JSON file format of `StaticResolver.fromFile`.
 *
 * @example
 * ```ts
 * const table: StaticTable = {
 *   'md.AAPL': ['10.0.0.5:40123', '10.0.0.6:40123'],
 *   'orders/fills': [{ address: '10.0.0.7', port: 40200, tls: true, policy: 'reliable' }],
 * };
 * ```
 */
export type StaticTable = Readonly<Record<string, readonly StaticEntry[]>>;

/**
 * The `maxMessageSize` reported for a static endpoint that does not give one: 1 MiB.
 *
 * @example
 * ```ts
 * new StaticResolver({ big: [{ address: '10.0.0.5', port: 1, maxMessageSize: 4 * STATIC_DEFAULT_MAX_MESSAGE_SIZE }] });
 * ```
 */
export const STATIC_DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

const endpointFields = new Set(['address', 'port', 'tls', 'publisherId', 'policy', 'maxMessageSize']);
const endpointText = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/**
 * Validates a static table and returns its advertisements. Every problem becomes a
 * SeamlessError `ERR_CONFIG_INVALID` whose message starts with `origin` and names the topic,
 * the entry and what is wrong.
 */
export function parseStaticTable(value: unknown, origin: string): CheckedAdvertisement[] {
  const fail = (where: string, problem: string): never => {
    throw new SeamlessError(ErrorCode.ConfigInvalid, `${origin}: ${where}${problem}`, {
      details: { origin, where, problem },
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('', `must be an object mapping topic names to arrays of advertisements or endpoints, got ${describe(value)}`);
  }
  const result: CheckedAdvertisement[] = [];
  for (const [topic, entries] of Object.entries(value as Record<string, unknown>)) {
    const problem = topicProblem(topic);
    if (problem !== undefined) fail(`topic ${JSON.stringify(topic)} `, `is not a valid topic name: ${problem}`);
    if (!Array.isArray(entries)) {
      fail(`topic ${JSON.stringify(topic)} `, `must be an array of advertisements or endpoints, got ${describe(entries)}`);
    }
    const seen = new Set<string>();
    for (const [index, entry] of (entries as unknown[]).entries()) {
      const where = `${JSON.stringify(topic)}[${index}]: `;
      let checked: CheckedAdvertisement;
      try {
        checked = checkAdvertisement(toAdvertisement(topic, entry));
      } catch (error) {
        if (!SeamlessError.isInstance(error)) throw error;
        return fail(where, error.message);
      }
      if (checked.advertisement.topic !== topic) {
        fail(where, `the advertisement's topic ${JSON.stringify(checked.advertisement.topic)} differs from its key`);
      }
      if (seen.has(checked.advertisement.publisherId)) {
        fail(where, `publisherId ${JSON.stringify(checked.advertisement.publisherId)} appears twice for this topic`);
      }
      seen.add(checked.advertisement.publisherId);
      result.push(checked);
    }
  }
  return result;
}

function toAdvertisement(topic: string, entry: unknown): unknown {
  if (typeof entry === 'string') return fromEndpoint(topic, parseEndpointText(entry));
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return invalid(`must be an advertisement, an endpoint object or "address:port", got ${describe(entry)}`);
  }
  if ('version' in entry) return parseAdvertisement(entry);
  return fromEndpoint(topic, entry as Record<string, unknown>);
}

function parseEndpointText(text: string): Record<string, unknown> {
  const match = endpointText.exec(text);
  if (match === null) return invalid(`${describe(text)} is not "address:port" or "[ipv6]:port"`);
  return { address: match[1] ?? match[2], port: Number(match[3]) };
}

function fromEndpoint(topic: string, endpoint: Record<string, unknown>): Advertisement {
  for (const field of Object.keys(endpoint)) {
    if (!endpointFields.has(field)) {
      invalid(
        `unknown field ${JSON.stringify(field)}; an endpoint has ${[...endpointFields].join(', ')} (an advertisement needs "version": ${ADVERTISEMENT_VERSION})`,
      );
    }
  }
  const { address, port, tls = false, policy = 'reliable', maxMessageSize = STATIC_DEFAULT_MAX_MESSAGE_SIZE } = endpoint;
  if (typeof address !== 'string' || isIP(address) === 0) {
    invalid(`address must be an IPv4 or IPv6 address (host names are not resolved), got ${describe(address)}`);
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    invalid(`port must be an integer 1..65535, got ${describe(port)}`);
  }
  if (typeof tls !== 'boolean') invalid(`tls must be a boolean, got ${describe(tls)}`);
  if (!DELIVERY_POLICIES.includes(policy as DeliveryPolicy)) {
    invalid(`policy must be one of ${DELIVERY_POLICIES.join(', ')}, got ${describe(policy)}`);
  }
  const text = address.toLowerCase();
  const publisherId =
    endpoint['publisherId'] ?? `static-${createHash('sha256').update(`${topic}\n${text}\n${port}`).digest('hex').slice(0, 20)}`;
  // parseAdvertisement (through checkAdvertisement) checks publisherId and maxMessageSize.
  return {
    version: ADVERTISEMENT_VERSION,
    topic,
    publisherId: publisherId as string,
    policy: policy as DeliveryPolicy,
    maxMessageSize: maxMessageSize as number,
    // Never equal to a real host identity, so the facade never tries shared memory with it.
    host: { bootId: 'static', ipcNamespace: 'static', netNamespace: 'static', hostname: text },
    addresses: [text],
    endpoints: { tcp: { port, tls } },
  };
}

function invalid(problem: string): never {
  throw new SeamlessError(ErrorCode.ConfigInvalid, problem);
}
