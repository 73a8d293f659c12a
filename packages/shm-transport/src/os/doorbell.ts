import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { atProcessExit, ownPresence } from '@seamless/local-addrs';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import { createFifo } from './native.js';
import { SHM_DIRECTORY } from './shm-directory.js';

/**
 * The path of the doorbell `id` of the process with presence `presence`, user `uid`: the
 * presence in the name is what lets anyone tell, from any PID namespace, whether its owner
 * lives (and reclaim it when not).
 */
export function doorbellPath(uid: number, presence: string, id: number): string {
  return `${SHM_DIRECTORY}/${doorbellName(uid, presence, id)}`;
}

/** The file name of a doorbell (see {@link doorbellPath}). */
export function doorbellName(uid: number, presence: string, id: number): string {
  return `seamless-${uid}-bell-${presence}-${(id >>> 0).toString(16)}`;
}

/** Splits a doorbell's file name; `undefined` for any other name. */
export function parseDoorbellName(name: string): { uid: number; presence: string } | undefined {
  const match = /^seamless-(\d{1,10})-bell-([0-9a-f]{16})-[0-9a-f]{1,8}$/.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { uid: Number(match[1]), presence: match[2] };
}

/**
 * One process's wake-up channel: a named pipe (FIFO) in /dev/shm that the event loop watches
 * through libuv. A writer with something for a parked reader of this process writes one byte
 * into it; libuv sees the pipe readable and runs the listeners in one turn, which then drain
 * every ready ring. One wake-up costs one hop (writer -> this event loop), and one doorbell
 * serves every subscription and publication of the process.
 *
 * The pipe is opened read-write by its owner, so it never reports end-of-file and writers can
 * always open it. Owners are reference-counted: the last release closes and unlinks it.
 */
export class Doorbell {
  /** The random id that readers and writers publish in the segment. Never 0. */
  readonly id: number;
  readonly path: string;
  readonly #uid: number;
  readonly #socket: Socket;
  readonly #listeners = new Set<() => void>();
  #users = 0;
  #holds = 0;
  readonly #cancelExitCleanup: () => void;

  private constructor(uid: number, presence: string) {
    this.#uid = uid;
    let id = 0;
    let path = '';
    for (let attempt = 0; ; attempt++) {
      id = randomBytes(4).readUInt32LE(0) || 1;
      path = doorbellPath(uid, presence, id);
      try {
        createFifo(path, 0o600);
        break;
      } catch (error) {
        if (attempt > 8) throw error;
      }
    }
    this.id = id;
    this.path = path;
    // A normal exit without close() still removes the pipe (after a kill, whoever notices the
    // death reclaims it).
    this.#cancelExitCleanup = atProcessExit(() => {
      unlinkQuietly(path);
    });
    let descriptor: number;
    try {
      descriptor = openSync(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (error) {
      unlinkQuietly(path);
      throw new SeamlessError(ErrorCode.ShmUnavailable, `cannot open doorbell ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#socket = new Socket({ fd: descriptor, readable: true, writable: false });
    this.#socket.on('data', () => {
      for (const listener of [...this.#listeners]) listener();
    });
    // A doorbell alone never keeps the process alive; holders (open subscriptions, a writer
    // waiting for room) do.
    this.#socket.unref();
  }

  static #instances = new Map<number, Doorbell>();

  /**
   * This process's doorbell for user `uid`, created on first use. Pair with {@link release}.
   * The process's presence must be established first (the transport does it).
   */
  static acquire(uid: number): Doorbell {
    let doorbell = Doorbell.#instances.get(uid);
    if (doorbell === undefined) {
      const presence = ownPresence();
      if (presence === undefined)
        throw new SeamlessError(ErrorCode.ShmUnavailable, 'this process has no presence pipe: create the transport first');
      doorbell = new Doorbell(uid, presence.token);
      Doorbell.#instances.set(uid, doorbell);
    }
    doorbell.#users++;
    return doorbell;
  }

  /** Gives up one use; the last one closes and unlinks the pipe. */
  release(): void {
    if (this.#users === 0) return;
    this.#users--;
    if (this.#users > 0) return;
    Doorbell.#instances.delete(this.#uid);
    this.#listeners.clear();
    this.#socket.destroy();
    forgetDoorbell(this.path);
    unlinkQuietly(this.path);
    this.#cancelExitCleanup();
  }

  /** Keeps the event loop alive until the matching {@link unhold}. */
  hold(): void {
    if (this.#holds++ === 0) this.#socket.ref();
  }

  unhold(): void {
    if (this.#holds === 0) return;
    if (--this.#holds === 0) this.#socket.unref();
  }

  /** Runs `listener` on every ring; returns the function that removes it. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** How many doorbells this process has rung (a system call each); for tests and diagnostics. */
export const doorbellStatistics = { rings: 0 };

const openBells = new Map<string, number>();
const MAX_OPEN_BELLS = 64;

/**
 * Rings the doorbell `id` of the process with presence `presence`: one byte into its pipe,
 * never blocking. A full pipe already holds a wake-up, so EAGAIN is success. Returns false
 * when there is no such doorbell (its process is gone) or it is not a pipe of ours.
 */
export function ringDoorbell(uid: number, presence: string, id: number): boolean {
  if (id === 0) return false;
  const path = doorbellPath(uid, presence, id);
  let descriptor = openBells.get(path);
  if (descriptor === undefined) {
    try {
      descriptor = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch {
      return false; // ENOENT: gone; ENXIO: nobody reads it any more
    }
    const status = fstatSync(descriptor);
    if (!status.isFIFO() || status.uid !== uid) {
      closeSync(descriptor);
      return false;
    }
    if (openBells.size >= MAX_OPEN_BELLS) {
      const oldest = openBells.keys().next().value;
      if (oldest !== undefined) forgetDoorbell(oldest);
    }
    openBells.set(path, descriptor);
  }
  try {
    doorbellStatistics.rings++;
    writeSync(descriptor, ringByte);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return true;
    forgetDoorbell(path); // EPIPE: its owner is gone
    return false;
  }
}

const ringByte = new Uint8Array([1]);

// Closes the cached descriptor of a doorbell that is going away.
function forgetDoorbell(path: string): void {
  const descriptor = openBells.get(path);
  if (descriptor === undefined) return;
  openBells.delete(path);
  closeSync(descriptor);
}

/** Removes the doorbell at `path` if it is there; false when it was not. */
export function removeDoorbell(path: string): boolean {
  forgetDoorbell(path);
  return unlinkQuietly(path);
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false; // already gone
  }
}
