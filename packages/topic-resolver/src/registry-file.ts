import { createHash, randomBytes } from 'node:crypto';
import { MAX_ADVERTISEMENT_BYTES, SeamlessError, parseAdvertisement } from '@seamless/transport';
import { describe } from './check-option.js';
import { canonicalJson } from './checked-advertisement.js';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import type { ProcessOwner } from './process-owner.js';

/*
 * One registry entry = one file `<topic key>.<publisher id>.json` in the registry directory,
 * where the topic key is the first 32 hex digits of SHA-256(topic) (topics may hold any
 * letter and "/", and may be longer than a file name may be). Its content:
 *
 *   {"format":"seamless-registry-entry","version":1,
 *    "owner":{"pid":4242,"startTime":"98868","bootId":"…","pidNamespace":"pid:[4026531836]"},
 *    "leaseMs":5000,
 *    "advertisement":{…}}
 *
 * The file's modification time is the last renewal. Files are written to
 * `.<name>.<pid>.<random>.tmp` and renamed into place, so a reader never sees half a file.
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
export const REGISTRY_VERSION = 1;
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

/** A registry entry as read back and validated. */
export interface RegistryEntry {
  readonly owner: ProcessOwner;
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
export function encodeRegistryEntry(owner: ProcessOwner, leaseMs: number, checked: CheckedAdvertisement): string {
  const envelope = JSON.stringify({ format: REGISTRY_FORMAT, version: REGISTRY_VERSION, owner, leaseMs });
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
  if (typeof leaseMs !== 'number' || !Number.isInteger(leaseMs) || leaseMs < 1 || leaseMs > maxLeaseMs) {
    return { problem: `${name}: leaseMs must be an integer from 1 to ${maxLeaseMs}` };
  }
  const owner = parseOwner(record['owner']);
  if (typeof owner === 'string') return { problem: `${name}: ${owner}` };
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
  return { entry: { owner, leaseMs, checked } };
}

function parseOwner(value: unknown): ProcessOwner | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'owner must be an object';
  const owner = value as Record<string, unknown>;
  const { pid, startTime, bootId, pidNamespace } = owner;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > 0x7fffffff) {
    return 'owner.pid must be a positive integer';
  }
  if (startTime !== null && (typeof startTime !== 'string' || !/^\d{1,20}$/.test(startTime))) {
    return 'owner.startTime must be a decimal string or null';
  }
  for (const [field, text] of [['bootId', bootId], ['pidNamespace', pidNamespace]] as const) {
    if (text !== null && (typeof text !== 'string' || text.length === 0 || text.length > 128)) {
      return `owner.${field} must be a string of 1 to 128 characters or null`;
    }
  }
  return {
    pid,
    startTime,
    bootId: bootId as string | null,
    pidNamespace: pidNamespace as string | null,
  };
}
