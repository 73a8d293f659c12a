import { ADVERTISEMENT_VERSION } from './advertisement.js';
import type { Advertisement, ShmEndpoint, TcpEndpoint } from './advertisement.js';
import { DELIVERY_POLICIES } from './delivery-policy.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import type { HostIdentity } from './host-identity.js';
import { ErrorCode, SeamlessError } from './seamless-error.js';
import { publisherIdProblem } from './validate-publisher-id.js';
import { topicProblem } from './validate-topic.js';

/** The largest serialised advertisement (JSON, in bytes) a resolver should accept. */
export const MAX_ADVERTISEMENT_BYTES = 8192;
/** The most addresses one advertisement may list. */
export const MAX_ADVERTISED_ADDRESSES = 64;

const noncePattern = /^[0-9a-f]{32}$/;
const segmentPattern = /^\/[A-Za-z0-9._-]{1,250}$/;
// Textual IPv4 or IPv6, optionally with a zone id; checked for shape only (no I/O here).
const addressPattern = /^(?:[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,32})?)$/;

/**
 * Validates an untrusted value (parsed JSON from a registry file, a datagram or a
 * configuration) and returns it as a fresh, frozen {@link Advertisement} holding only known
 * fields. Throws {@link SeamlessError} `ERR_ADVERTISEMENT_INVALID` naming the first bad field.
 *
 * @example
 * ```ts
 * import { parseAdvertisement } from '@seamless/transport';
 *
 * const advertisement = parseAdvertisement(JSON.parse(datagram.toString('utf8')));
 * ```
 */
export function parseAdvertisement(value: unknown): Advertisement {
  const record = object(value, 'advertisement');
  if (record['version'] !== ADVERTISEMENT_VERSION) {
    fail('version', `must be ${ADVERTISEMENT_VERSION}, got ${show(record['version'])}`);
  }
  const topic = record['topic'];
  const problem = topicProblem(topic);
  if (problem !== undefined) fail('topic', problem);
  const publisherIdIssue = publisherIdProblem(record['publisherId']);
  if (publisherIdIssue !== undefined) fail('publisherId', publisherIdIssue);
  const publisherId = record['publisherId'] as string;
  const policy = record['policy'];
  if (!DELIVERY_POLICIES.includes(policy as DeliveryPolicy)) {
    fail('policy', `must be one of ${DELIVERY_POLICIES.join(', ')}, got ${show(policy)}`);
  }
  const maxMessageSize = record['maxMessageSize'];
  if (!Number.isSafeInteger(maxMessageSize) || (maxMessageSize as number) < 0) {
    fail('maxMessageSize', `must be a non-negative integer, got ${show(maxMessageSize)}`);
  }
  const hostRecord = object(record['host'], 'host');
  const host: HostIdentity = Object.freeze({
    bootId: string(hostRecord['bootId'], 'host.bootId', 128),
    ipcNamespace: string(hostRecord['ipcNamespace'], 'host.ipcNamespace', 128),
    netNamespace: string(hostRecord['netNamespace'], 'host.netNamespace', 128),
    hostname: string(hostRecord['hostname'], 'host.hostname', 255),
  });
  const addressList = record['addresses'];
  if (!Array.isArray(addressList) || addressList.length > MAX_ADVERTISED_ADDRESSES) {
    fail('addresses', `must be an array of at most ${MAX_ADVERTISED_ADDRESSES} addresses`);
  }
  const addresses = (addressList as unknown[]).map((address, index) => {
    const text = string(address, `addresses[${index}]`, 64);
    if (!addressPattern.test(text)) fail(`addresses[${index}]`, `${show(text)} is not an IP address`);
    return text;
  });
  const endpointRecord = object(record['endpoints'], 'endpoints');
  const endpoints: { shm?: ShmEndpoint; tcp?: TcpEndpoint } = {};
  if (endpointRecord['shm'] !== undefined) {
    const shm = object(endpointRecord['shm'], 'endpoints.shm');
    const segment = string(shm['segment'], 'endpoints.shm.segment', 251);
    if (!segmentPattern.test(segment)) fail('endpoints.shm.segment', 'must match /[A-Za-z0-9._-]+');
    const nonce = string(shm['nonce'], 'endpoints.shm.nonce', 32);
    if (!noncePattern.test(nonce)) fail('endpoints.shm.nonce', 'must be 32 lowercase hex digits');
    endpoints.shm = Object.freeze({ segment, nonce });
  }
  if (endpointRecord['tcp'] !== undefined) {
    const tcp = object(endpointRecord['tcp'], 'endpoints.tcp');
    const port = tcp['port'];
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      fail('endpoints.tcp.port', `must be an integer 1..65535, got ${show(port)}`);
    }
    if (typeof tcp['tls'] !== 'boolean') fail('endpoints.tcp.tls', 'must be a boolean');
    endpoints.tcp = Object.freeze({ port: port as number, tls: tcp['tls'] });
  }
  return Object.freeze({
    version: ADVERTISEMENT_VERSION,
    topic: topic as string,
    publisherId,
    policy: policy as DeliveryPolicy,
    maxMessageSize: maxMessageSize as number,
    host,
    addresses: Object.freeze(addresses),
    endpoints: Object.freeze(endpoints),
  });
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

function string(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    fail(field, `must be a non-empty string of at most ${maxLength} characters, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return typeof value;
}

function fail(field: string, problem: string): never {
  throw new SeamlessError(ErrorCode.AdvertisementInvalid, `invalid advertisement: ${field} ${problem}`, {
    details: { field, problem },
  });
}
