import { createHash, randomBytes } from 'node:crypto';
import type { ProcessIdentity } from '@seamless/local-addrs';
import { MAX_ADVERTISEMENT_BYTES, SeamlessError, parseAdvertisement } from '@seamless/transport';
import { describeValue as describe, isIntegerIn } from '@seamless/transport';
import { canonicalJson } from '../checked-advertisement.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';

/*
 * One registry entry = one file `<topic key>.<publisher id>.json` in the registry directory,
 * where the topic key is the first 32 hex digits of SHA-256(topic) (topics may hold any
 * letter and "/", and may be longer than a file name may be). Its content:
 *
 *   {"format":"seamless-registry-entry","version":2,
 *    "owner":{"pid":4242,"startTime":98868,"pidNamespace":4026531836,"bootId":"…",
 *             "presence":"9f…","presenceDevice":27},
 *    "instance":"4be1c0ffee0ddba1","leaseMs":5000,
 *    "advertisement":{…}}
 *
 * The owner is the process (`@seamless/local-addrs` ProcessIdentity), the instance the
 * HostResolver that wrote the entry: its heartbeat file (see instance-heartbeat.ts) renews
 * every entry of that instance at once. An entry never changes after it is written: files are
 * written to `.<name>.<pid>.<random>.tmp` and renamed into place, so a reader never sees half a
 * file.
 */

/**
 * The `format` field of every registry file (see the README for the whole format).
 *
 * @example
 * ```ts
 * const isEntry = JSON.parse(text).format === REGISTRY_FORMAT;
 * ```
 */
export const REGISTRY_FORMAT = 'seamless-registry-entry';
/**
 * The `version` field this package writes and reads; files of other versions are ignored.
 *
 * @example
 * ```ts
 * const readable = entry.format === REGISTRY_FORMAT && entry.version === REGISTRY_VERSION;
 * ```
 */
export const REGISTRY_VERSION = 2;
/**
 * The largest registry file read: an advertisement at its limit plus the envelope.
 *
 * @example
 * ```ts
 * if ((await stat(path)).size > MAX_REGISTRY_FILE_BYTES) console.warn(`${path} would be ignored`);
 * ```
 */
export const MAX_REGISTRY_FILE_BYTES = MAX_ADVERTISEMENT_BYTES + 1024;

/** The largest lease a registry file may declare (one day); longer ones are refused as garbage. */
const maxLeaseMs = 24 * 60 * 60 * 1000;
const entryName = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{1,64})\.json$/;
const temporaryPattern = /^\..+\.tmp$/;
/** Instance ids and presence tokens: 16 lowercase hex digits. */
const hexToken = /^[0-9a-f]{16}$/;

/** A registry entry as read back and validated. */
export interface RegistryEntry {
  readonly owner: ProcessIdentity;
  /** The HostResolver instance that wrote it (16 hex digits): its heartbeat renews the entry. */
  readonly instance: string;
  readonly leaseMs: number;
  readonly checked: CheckedAdvertisement;
}

/** The decoded result of one file: the entry, or why it is garbage. */
export type DecodedRegistryEntry = { readonly entry: RegistryEntry } | { readonly problem: string };

/** The key standing for `topic` in file names. */
export function topicKey(topic: string): string {
  return createHash('sha256').update(topic).digest('hex').slice(0, 32);
}

/** The file name of the entry of one publisher of one topic. */
export function registryFileName(topic: string, publisherId: string): string {
  return `${topicKey(topic)}.${publisherId}.json`;
}

/** Splits an entry's file name; `undefined` for any other name. */
export function parseRegistryFileName(name: string): { topicKey: string; publisherId: string } | undefined {
  const match = entryName.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { topicKey: match[1], publisherId: match[2] };
}

/** A fresh, unpredictable temporary name for writing `name`. */
export function temporaryFileName(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Whether `name` is a temporary file of some writer. */
export function isTemporaryFileName(name: string): boolean {
  return temporaryPattern.test(name);
}

/** The content of a registry file. */
export function encodeRegistryEntry(owner: ProcessIdentity, instance: string, leaseMs: number, checked: CheckedAdvertisement): string {
  const { pid, startTime, pidNamespace, bootId, presence, presenceDevice } = owner;
  const envelope = JSON.stringify({
    format: REGISTRY_FORMAT,
    version: REGISTRY_VERSION,
    owner: { pid, startTime, pidNamespace, bootId, presence, presenceDevice },
    instance,
    leaseMs,
  });
  // The advertisement's JSON is spliced in as is: it is the canonical form peers compare.
  return `${envelope.slice(0, -1)},"advertisement":${checked.json}}\n`;
}

/**
 * Validates the bytes of a registry file named `name`: size, UTF-8 JSON, the envelope, the
 * advertisement (`parseAdvertisement`), and that topic and publisher id match the name (so a
 * file cannot claim to be another publisher's). Never throws.
 */
export function decodeRegistryEntry(name: string, bytes: Uint8Array): DecodedRegistryEntry {
  const parts = parseRegistryFileName(name);
  if (parts === undefined) return { problem: `${name}: not a registry entry name` };
  if (bytes.byteLength > MAX_REGISTRY_FILE_BYTES) {
    return { problem: `${name}: ${bytes.byteLength} bytes, the limit is ${MAX_REGISTRY_FILE_BYTES}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { problem: `${name}: not UTF-8 JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: `${name}: not a JSON object` };
  }
  const record = value as Record<string, unknown>;
  if (record['format'] !== REGISTRY_FORMAT) return { problem: `${name}: format is not ${REGISTRY_FORMAT}` };
  if (record['version'] !== REGISTRY_VERSION) {
    return { problem: `${name}: version ${describe(record['version'])} is not supported (this reader knows ${REGISTRY_VERSION})` };
  }
  const leaseMs = record['leaseMs'];
  if (!isIntegerIn(leaseMs, 1, maxLeaseMs)) {
    return { problem: `${name}: leaseMs must be an integer from 1 to ${maxLeaseMs}` };
  }
  const owner = parseOwner(record['owner']);
  if (typeof owner === 'string') return { problem: `${name}: ${owner}` };
  const instance = record['instance'];
  if (typeof instance !== 'string' || !hexToken.test(instance)) return { problem: `${name}: instance must be 16 hex digits` };
  let checked: CheckedAdvertisement;
  try {
    const advertisement = parseAdvertisement(record['advertisement']);
    checked = { advertisement, json: canonicalJson(advertisement) };
  } catch (error) {
    if (!SeamlessError.isInstance(error)) throw error;
    return { problem: `${name}: ${error.message}` };
  }
  if (topicKey(checked.advertisement.topic) !== parts.topicKey || checked.advertisement.publisherId !== parts.publisherId) {
    return { problem: `${name}: its advertisement (topic and publisher id) does not match the file name` };
  }
  return { entry: { owner, instance, leaseMs, checked } };
}

function parseOwner(value: unknown): ProcessIdentity | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'owner must be an object';
  const { pid, startTime, pidNamespace, bootId, presence, presenceDevice } = value as Record<string, unknown>;
  if (!isIntegerIn(pid, 1, 0x7fffffff)) return 'owner.pid must be a positive integer';
  for (const [field, number] of [
    ['startTime', startTime],
    ['pidNamespace', pidNamespace],
    ['presenceDevice', presenceDevice],
  ] as const) {
    if (!isIntegerIn(number, 0, Number.MAX_SAFE_INTEGER)) return `owner.${field} must be a non-negative integer`;
  }
  if (typeof bootId !== 'string' || bootId.length > 128) return 'owner.bootId must be a string of at most 128 characters';
  if (typeof presence !== 'string' || (presence !== '' && !hexToken.test(presence))) {
    return 'owner.presence must be empty or 16 hex digits';
  }
  return {
    pid: pid,
    startTime: startTime as number,
    pidNamespace: pidNamespace as number,
    bootId,
    presence,
    presenceDevice: presenceDevice as number,
  };
}
