import { ADVERTISEMENT_VERSION } from './advertisement.js';
import type { Advertisement, Endpoints } from './advertisement.js';
import { DELIVERY_POLICIES } from './delivery-policy.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import { describeValue as show } from './describe-value.js';
import type { HostIdentity } from './host-identity.js';
import { invalidAdvertisement } from './invalid-advertisement.js';
import { MAX_HISTORY } from './history.js';
import { ErrorCode, SeamlessError } from './seamless-error.js';
import { transportKindProblem } from './transport-kind.js';
import { publisherIdProblem } from './validate-publisher-id.js';
import { topicProblem } from './validate-topic.js';

/** The largest serialised advertisement (JSON, in bytes) a resolver should accept. */
export const MAX_ADVERTISEMENT_BYTES = 8192;
/** The most addresses one advertisement may list. */
export const MAX_ADVERTISED_ADDRESSES = 64;

/** The most transports' endpoints one advertisement keeps (the first, in sorted order). */
export const MAX_ADVERTISED_ENDPOINTS = 16;
// Textual IPv4 or IPv6, optionally with a zone id; checked for shape only (no I/O here).
const addressPattern = /^(?:[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}(?:%[A-Za-z0-9_.-]{1,32})?)$/;

/**
 * Validates an untrusted value (parsed JSON from a registry file, a datagram or a
 * configuration) and returns it as a fresh, frozen {@link Advertisement} holding only known
 * fields. Throws {@link SeamlessError} `ERR_ADVERTISEMENT_INVALID` naming the first bad field.
 *
 * Each entry of `endpoints` is checked for shape only (a JSON object of bounded size under a
 * valid transport kind) and copied, in sorted order: what it means is the business of the
 * transport of that kind (`Transport.parseEndpoint`), so kinds this process does not know pass
 * through. An entry that is not even that (another release's idea of an endpoint) is dropped,
 * not fatal, and at most {@link MAX_ADVERTISED_ENDPOINTS} are kept.
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
  const history = record['history'] ?? 0;
  if (!Number.isSafeInteger(history) || (history as number) < 0 || (history as number) > MAX_HISTORY) {
    fail('history', `must be an integer from 0 to ${MAX_HISTORY}, got ${show(history)}`);
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
  const endpoints = parseEndpoints(record['endpoints']);
  return Object.freeze({
    version: ADVERTISEMENT_VERSION,
    topic: topic as string,
    publisherId,
    policy: policy as DeliveryPolicy,
    maxMessageSize: maxMessageSize as number,
    ...(history === 0 ? {} : { history: history as number }),
    host,
    addresses: Object.freeze(addresses),
    endpoints: Object.freeze(endpoints),
  });
}

function parseEndpoints(value: unknown): Endpoints {
  const record = object(value, 'endpoints');
  // Sorted, so that one advertisement always serialises alike (the multicast digest hashes
  // it); the old parser's order, shm then tcp, is the sorted one.
  const kinds = Object.keys(record).sort();
  const endpoints: Record<string, unknown> = {};
  for (const kind of kinds) {
    if (Object.keys(endpoints).length === MAX_ADVERTISED_ENDPOINTS) break;
    // An entry this release cannot even hold is dropped, not fatal: the advertisement still
    // routes over the transports both ends have (the release before ignored unknown kinds).
    if (transportKindProblem(kind) !== undefined) continue;
    try {
      endpoints[kind] = json(object(record[kind], `endpoints.${kind}`), `endpoints.${kind}`, 0);
    } catch (error) {
      if (!SeamlessError.isInstance(error, ErrorCode.AdvertisementInvalid)) throw error;
    }
  }
  return Object.freeze(endpoints);
}

// A frozen copy of a plain JSON value, bounded so that no entry can be made expensive to keep.
function json(value: unknown, field: string, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(field, `must be a finite number, got ${show(value)}`);
    return value;
  }
  if (typeof value === 'string') {
    if (value.length > 1024) fail(field, 'must be a string of at most 1024 characters');
    return value;
  }
  if (depth >= 4 || typeof value !== 'object') fail(field, `must be plain JSON nested at most 4 deep, got ${show(value)}`);
  if (Array.isArray(value)) {
    if (value.length > 64) fail(field, 'must be an array of at most 64 items');
    return Object.freeze(value.map((item, index) => json(item, `${field}[${index}]`, depth + 1)));
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) fail(field, `must be plain JSON, got ${show(value)}`);
  const keys = Object.keys(value);
  if (keys.length > 32) fail(field, 'must be an object of at most 32 fields');
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (key.length > 64) fail(`${field}.${key.slice(0, 16)}…`, 'is a field name over 64 characters');
    // defineProperty: a "__proto__" key from JSON.parse stays a field, never a prototype.
    const item = json((value as Record<string, unknown>)[key], `${field}.${key}`, depth + 1);
    Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return Object.freeze(copy);
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

function fail(field: string, problem: string): never {
  throw invalidAdvertisement(field, problem);
}
