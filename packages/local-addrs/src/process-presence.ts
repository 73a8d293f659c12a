import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import { atProcessExit } from './exit-cleanup.js';

/*
 * A process's presence is a named pipe (FIFO) that the process itself holds open for reading
 * for as long as it lives. The kernel closes that descriptor when the process dies, however it
 * dies (SIGKILL, OOM killer, a crash), and before it becomes a zombie. Another process asks
 * "alive?" by opening the pipe for writing without blocking: the open succeeds while a reader
 * exists and fails with ENXIO once none does. Nothing is written, so the owner is never woken.
 * It works across PID namespaces (containers), where pids mean nothing, as long as both see the
 * same directory (the same /dev/shm). This is the "lock the kernel releases at death" of
 * iceoryx2's monitoring, with a pipe instead of flock because Node.js can open a pipe but cannot
 * take a lock.
 *
 * Files: `<directory>/seamless-<uid>-live-<token>`, the token 16 random hexadecimal digits.
 * A new presence is made under `<name>.tmp`, opened, then renamed into place, so the final
 * name never exists without its holder.
 */

/** A process's presence: the pipe it holds open while it lives. */
export interface ProcessPresence {
  /** 16 lowercase hexadecimal digits, random per process. */
  readonly token: string;
  /** The pipe's path. */
  readonly path: string;
  /** The directory it is in. */
  readonly directory: string;
  /** The device of that directory's file system (`stat.dev`), to tell whether another process sees the same one. */
  readonly device: number;
}

/** Creates a named pipe at `path` with exactly `mode` (Node.js cannot; an addon can). */
export type FifoMaker = (path: string, mode: number) => void;

/** What probing a presence found. */
export type PresenceProbe = 'alive' | 'dead' | 'absent';

/** Where presences live and whose they are. */
export interface PresenceLocation {
  /** Default {@link defaultPresenceDirectory}. */
  readonly directory?: string;
  /** The owner's uid (default: this process's). */
  readonly uid?: number;
}

/** The shape of a presence token. */
export const PRESENCE_TOKEN_PATTERN = /^[0-9a-f]{16}$/;

/**
 * `/dev/shm` on Linux (where shared-memory segments live: whoever can open a segment sees the
 * same directory), else the temporary directory.
 *
 * @example
 * ```ts
 * defaultPresenceDirectory(); // '/dev/shm'
 * ```
 */
export function defaultPresenceDirectory(): string {
  return process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/**
 * The path of the presence `token` of a process of user `uid`.
 *
 * @example
 * ```ts
 * presencePath('0123456789abcdef', { uid: 1000 }); // '/dev/shm/seamless-1000-live-0123456789abcdef'
 * ```
 */
export function presencePath(token: string, location: PresenceLocation = {}): string {
  return join(location.directory ?? defaultPresenceDirectory(), `seamless-${location.uid ?? ownUid()}-live-${token}`);
}

/**
 * Parses the name of a presence file (`seamless-<uid>-live-<token>`, or its `.tmp` while it is
 * being made); `undefined` for any other name.
 *
 * @example
 * ```ts
 * parsePresenceName('seamless-0-live-0123456789abcdef'); // { uid: 0, token: '0123456789abcdef', temporary: false }
 * ```
 */
export function parsePresenceName(name: string): { uid: number; token: string; temporary: boolean } | undefined {
  const match = /^seamless-(\d{1,10})-live-([0-9a-f]{16})(\.tmp)?$/.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { uid: Number(match[1]), token: match[2], temporary: match[3] !== undefined };
}

interface PresenceState {
  presence: ProcessPresence | undefined;
  descriptor: number;
}

// Shared by every copy of this package loaded into the process (two versions in one
// node_modules tree must not give one process two presences).
const stateKey = Symbol.for('@seamless/local-addrs.presence');
const globals = globalThis as unknown as Record<symbol, PresenceState | undefined>;
const state: PresenceState = (globals[stateKey] ??= { presence: undefined, descriptor: -1 });

/**
 * This process's presence, if one was established (by {@link establishPresence}).
 *
 * @example
 * ```ts
 * const token = ownPresence()?.token; // put it where others will judge us
 * ```
 */
export function ownPresence(): ProcessPresence | undefined {
  return state.presence;
}

/**
 * Makes this process's presence (once per process; later calls return the same one): a pipe
 * held open until the process ends, removed at a normal exit. The shared-memory transport
 * calls it with its addon's `mkfifo`; everything that records "who owns this" then includes
 * the token, and {@link processLiveness} can judge the owner from any PID namespace.
 *
 * @throws SeamlessError `ERR_SHM_UNAVAILABLE` when the pipe cannot be made in `directory`.
 *
 * @example
 * ```ts
 * const presence = establishPresence((path, mode) => addon.createFifo(path, mode));
 * ```
 */
export function establishPresence(makeFifo: FifoMaker, location: { readonly directory?: string } = {}): ProcessPresence {
  if (state.presence !== undefined) return state.presence;
  const directory = location.directory ?? defaultPresenceDirectory();
  const uid = ownUid();
  let lastError: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    const token = randomBytes(8).toString('hex');
    const path = presencePath(token, { directory, uid });
    const temporary = `${path}.tmp`;
    let descriptor = -1;
    try {
      makeFifo(temporary, 0o600);
      // Read-write: the pipe then never reports end-of-file and the open never blocks.
      descriptor = openSync(temporary, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      renameSync(temporary, path);
      const held = fstatSync(descriptor);
      if (!held.isFIFO() || lstatSync(path).ino !== held.ino) throw new Error(`${path} is not the pipe this process holds`);
      state.descriptor = descriptor;
      state.presence = Object.freeze({ token, path, directory, device: statSync(directory).dev });
      atProcessExit(removeOwnPresence);
      return state.presence;
    } catch (error) {
      // Someone reclaimed the pipe before we held it (or the name was taken): try another.
      lastError = error;
      if (descriptor >= 0) closeSync(descriptor);
      unlinkQuietly(temporary);
    }
  }
  throw new SeamlessError(
    ErrorCode.ShmUnavailable,
    `cannot make this process's presence pipe in ${directory}: ${(lastError as Error).message}`,
    { cause: lastError, details: { directory } },
  );
}

function removeOwnPresence(): void {
  const presence = state.presence;
  if (presence === undefined) return;
  try {
    if (lstatSync(presence.path).ino === fstatSync(state.descriptor).ino) unlinkSync(presence.path);
  } catch {
    // Already gone: nothing to withdraw.
  }
}

/**
 * Asks whether the process holding presence `token` lives: `'alive'` (its pipe has a reader),
 * `'dead'` (the pipe has none, or is not a pipe of that user) or `'absent'` (no such file here:
 * the process ended normally, its leftovers were reclaimed, or this directory is not the one
 * it used). Two system calls, no wake-up of the owner.
 *
 * @example
 * ```ts
 * if (probePresence(slotToken) === 'dead') evict(slot);
 * ```
 */
export function probePresence(token: string, location: PresenceLocation = {}): PresenceProbe {
  if (!PRESENCE_TOKEN_PATTERN.test(token)) return 'dead';
  if (token === state.presence?.token && (location.directory ?? defaultPresenceDirectory()) === state.presence.directory) {
    return 'alive';
  }
  const uid = location.uid ?? ownUid();
  return probePipe(presencePath(token, { ...location, uid }), uid);
}

function probePipe(path: string, uid: number): PresenceProbe {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    // ENXIO: no reader, its holder is gone. ELOOP: a link planted in its place.
    return 'dead';
  }
  try {
    const status = fstatSync(descriptor);
    return status.isFIFO() && status.uid === uid ? 'alive' : 'dead';
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Removes the presence pipe `token` (or, with `temporary`, the `.tmp` of one being made) if,
 * and only if, nobody holds it; true when removed. Called last by whoever reclaimed that
 * process's other leftovers. A `.tmp` without a holder belongs to a process that died while
 * making it, or to one about to open it, which then simply tries another token.
 *
 * @example
 * ```ts
 * for (const token of deadTokens) removeDeadPresence(token);
 * ```
 */
export function removeDeadPresence(token: string, location: PresenceLocation & { readonly temporary?: boolean } = {}): boolean {
  if (!PRESENCE_TOKEN_PATTERN.test(token) || token === state.presence?.token) return false;
  const uid = location.uid ?? ownUid();
  const path = `${presencePath(token, { ...location, uid })}${location.temporary === true ? '.tmp' : ''}`;
  if (probePipe(path, uid) !== 'dead') return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never made, or already gone.
  }
}

function ownUid(): number {
  return process.getuid?.() ?? 0;
}
