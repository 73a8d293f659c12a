import { ownPresence } from '@seamless/local-addrs';
import type { ProcessIdentity } from '@seamless/local-addrs';
import { RingDescriptor as D } from './ring-descriptor.js';

const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The presence token stored at `offset` of a segment (8 bytes, see the layout): 16 lowercase
 * hexadecimal digits, whatever the bytes are (all zeros reads as a token no process has).
 */
export function readPresence(bytes: Uint8Array, offset: number): string {
  let token = '';
  for (let index = 0; index < D.presenceBytes; index++) token += hex[bytes[offset + index] ?? 0] ?? '00';
  return token;
}

/** Stores presence `token` (16 hexadecimal digits) at `offset` of a segment. */
export function writePresence(bytes: Uint8Array, offset: number, token: string): void {
  for (let index = 0; index < D.presenceBytes; index++) bytes[offset + index] = parseInt(token.slice(index * 2, index * 2 + 2), 16) || 0;
}

/**
 * The identity of the process behind a presence found in a segment, for `processLiveness`:
 * the segment lives in the directory of presences (/dev/shm), so a missing pipe means its
 * process is gone. The pid is informative only (it may belong to another PID namespace).
 */
export function presenceOwner(token: string, pid: number): ProcessIdentity {
  return { pid, startTime: 0, pidNamespace: 0, bootId: '', presence: token, presenceDevice: ownPresence()?.device ?? 0 };
}
