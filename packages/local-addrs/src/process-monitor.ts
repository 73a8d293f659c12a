import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import { processKey } from './process-identity.js';
import type { ProcessIdentity } from './process-identity.js';
import { processLiveness } from './process-liveness.js';
import type { Liveness } from './process-liveness.js';

/** Options of a {@link ProcessMonitor}. */
export interface ProcessMonitorOptions {
  /** How often watched processes are checked (default 250 ms): a death is reported within about this long. */
  readonly intervalMs?: number;
  /** The check (default {@link processLiveness}); tests inject their own. */
  readonly liveness?: (identity: ProcessIdentity) => Liveness;
}

/** Called once, from a sweep, when a watched process is found dead. */
export type DeathListener = (identity: ProcessIdentity) => void;

/**
 * Watches processes for their death with one timer per process, however many things watch:
 * each sweep checks every distinct watched process once (a shared-memory writer with a
 * thousand readers in one other process costs one check), then calls the listeners of the
 * dead ones. The timer runs only while something is watched and never keeps the process
 * alive. Most code uses the process-wide {@link processMonitor}.
 *
 * @example
 * ```ts
 * const stop = processMonitor().watch(readerIdentity, () => evict(slot));
 * // ... later, when the reader leaves by itself:
 * stop();
 * ```
 */
export class ProcessMonitor {
  readonly #intervalMs: number;
  readonly #liveness: (identity: ProcessIdentity) => Liveness;
  readonly #watched = new Map<string, { readonly identity: ProcessIdentity; readonly listeners: Set<DeathListener> }>();
  #timer: NodeJS.Timeout | undefined;
  #sweeps = 0;

  /** @throws SeamlessError `ERR_INVALID_ARGUMENT` for an interval outside 1..60000 ms. */
  constructor(options: ProcessMonitorOptions = {}) {
    const intervalMs = options.intervalMs ?? 250;
    if (!Number.isFinite(intervalMs) || intervalMs < 1 || intervalMs > 60_000) {
      throw new SeamlessError(
        ErrorCode.InvalidArgument,
        `ProcessMonitor intervalMs must be between 1 and 60000, got ${String(intervalMs)}`,
      );
    }
    this.#intervalMs = intervalMs;
    this.#liveness = options.liveness ?? ((identity) => processLiveness(identity));
  }

  /** Distinct processes watched now. */
  get watchedProcesses(): number {
    return this.#watched.size;
  }

  /** Sweeps run so far. */
  get sweeps(): number {
    return this.#sweeps;
  }

  /**
   * Calls `listener` once when the process `identity` is found dead (from a later sweep, never
   * synchronously); returns the function that stops watching.
   */
  watch(identity: ProcessIdentity, listener: DeathListener): () => void {
    const key = processKey(identity);
    let entry = this.#watched.get(key);
    if (entry === undefined) {
      entry = { identity, listeners: new Set() };
      this.#watched.set(key, entry);
    }
    // A wrapper per call, so one listener watching twice is also stopped twice.
    const once: DeathListener = (dead) => {
      listener(dead);
    };
    entry.listeners.add(once);
    this.#timer ??= realTimers
      .setInterval(() => {
        this.sweep();
      }, this.#intervalMs)
      .unref();
    const watched = entry;
    return () => {
      watched.listeners.delete(once);
      if (watched.listeners.size === 0 && this.#watched.get(key) === watched) this.#watched.delete(key);
      this.#idle();
    };
  }

  /** Checks one process now (no cache). */
  check(identity: ProcessIdentity): Liveness {
    return this.#liveness(identity);
  }

  /** Checks every watched process now and reports the dead; returns how many died. */
  sweep(): number {
    this.#sweeps += 1;
    const dead: { identity: ProcessIdentity; listeners: Set<DeathListener> }[] = [];
    for (const [key, entry] of this.#watched) {
      if (this.#liveness(entry.identity) !== 'dead') continue;
      this.#watched.delete(key);
      dead.push(entry);
    }
    for (const entry of dead) {
      for (const listener of entry.listeners) {
        try {
          listener(entry.identity);
        } catch (error) {
          process.emitWarning(`Seamless: a process-death listener failed: ${(error as Error).message}`, { code: 'SEAMLESS' });
        }
      }
    }
    this.#idle();
    return dead.length;
  }

  /** Stops the timer and forgets every watch. */
  close(): void {
    this.#watched.clear();
    this.#idle();
  }

  #idle(): void {
    if (this.#watched.size > 0 || this.#timer === undefined) return;
    realTimers.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

let shared: ProcessMonitor | undefined;

/**
 * The process-wide {@link ProcessMonitor} (250 ms), shared by every transport and resolver so
 * that liveness costs one sweep per process.
 *
 * @example
 * ```ts
 * const stop = processMonitor().watch(writer, () => subscription.end('publisher died'));
 * ```
 */
export function processMonitor(): ProcessMonitor {
  shared ??= new ProcessMonitor();
  return shared;
}
