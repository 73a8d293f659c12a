import { unlinkSync } from 'node:fs';
import { readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atProcessExit, ownProcessIdentity } from '@seamless/local-addrs';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import { heartbeatFileName, newInstanceId, touchHeartbeat } from './instance-heartbeat.js';
import { prepareRegistryDirectory } from './registry-directory.js';
import { encodeRegistryEntry, temporaryFileName } from './registry-file.js';

/** How a {@link RegistryWriter} works; resolved from the HostResolver options. */
export interface RegistryWriterSettings {
  readonly directory: string;
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  /** Runs a renewal after the resolver's other directory work (scans and writes never interleave). */
  readonly schedule: (task: () => Promise<void>) => void;
  readonly warn: (condition: string, message: string) => void;
}

/**
 * The entries one HostResolver instance owns: writes them atomically (temporary file and
 * rename; an entry never changes afterwards), renews them all with one heartbeat file, puts
 * back any that someone removed (a reader that judged them expired, or a human), and removes
 * them on `remove()`, `stop()` and a normal process exit.
 */
export class RegistryWriter {
  /** This instance's id, written into every entry and naming its heartbeat file. */
  readonly instance = newInstanceId();
  readonly #settings: RegistryWriterSettings;
  /** File name -> the advertisement it holds. */
  readonly #entries = new Map<string, CheckedAdvertisement>();
  #cancelExitCleanup: (() => void) | undefined;
  readonly #exitCleanup = (): void => {
    for (const name of [...this.#entries.keys(), heartbeatFileName(this.instance)]) {
      try {
        unlinkSync(join(this.#settings.directory, name));
      } catch {
        // Already gone, or the directory is: either way nothing is left to withdraw.
      }
    }
  };
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: RegistryWriterSettings) {
    this.#settings = settings;
  }

  /** Entries written and not removed. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Writes (or replaces) entry `name` and keeps it renewed.
   *
   * @throws SeamlessError `ERR_CONFIG_INVALID` when it cannot be written.
   */
  async write(name: string, checked: CheckedAdvertisement): Promise<void> {
    if (this.#entries.size === 0) await this.#heartbeat();
    await this.#writeFile(name, checked);
    this.#entries.set(name, checked);
    this.#start();
  }

  /** Removes entry `name`; the heartbeat goes with the last entry. */
  async remove(name: string): Promise<void> {
    if (!this.#entries.delete(name)) return;
    await unlink(join(this.#settings.directory, name)).catch(() => undefined);
    if (this.#entries.size === 0) await this.stop();
  }

  /** Stops renewing and removes the heartbeat (entries still held are removed first). */
  async stop(): Promise<void> {
    for (const name of this.#entries.keys()) await unlink(join(this.#settings.directory, name)).catch(() => undefined);
    this.#entries.clear();
    realTimers.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#cancelExitCleanup?.();
    this.#cancelExitCleanup = undefined;
    await unlink(join(this.#settings.directory, heartbeatFileName(this.instance))).catch(() => undefined);
  }

  #start(): void {
    this.#cancelExitCleanup ??= atProcessExit(this.#exitCleanup);
    this.#timer ??= realTimers
      .setInterval(() => {
        this.#settings.schedule(() => this.#renew());
      }, this.#settings.renewIntervalMs)
      .unref();
  }

  /** One heartbeat for every entry, then put back the entries someone removed. */
  async #renew(): Promise<void> {
    if (this.#entries.size === 0) return;
    await this.#heartbeat();
    let names: Set<string>;
    try {
      names = new Set(await readdir(this.#settings.directory));
    } catch {
      names = new Set();
    }
    for (const [name, checked] of this.#entries) {
      if (names.has(name)) continue;
      try {
        await this.#writeFile(name, checked);
      } catch (error) {
        this.#settings.warn('renew', (error as Error).message);
      }
    }
  }

  async #heartbeat(): Promise<void> {
    const { directory } = this.#settings;
    try {
      await touchHeartbeat(directory, this.instance);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#settings.warn(
          'renew',
          `cannot renew the heartbeat ${heartbeatFileName(this.instance)} in ${directory}: ${(error as Error).message}`,
        );
        return;
      }
      // The directory itself is gone: re-create it (with the same safety checks) and retry.
      try {
        prepareRegistryDirectory(directory);
        await touchHeartbeat(directory, this.instance);
      } catch (retryError) {
        this.#settings.warn('renew', (retryError as Error).message);
      }
    }
  }

  /** Writes an entry atomically: a temporary file in the same directory, then rename. */
  async #writeFile(name: string, checked: CheckedAdvertisement): Promise<void> {
    const { directory, leaseMs } = this.#settings;
    const content = encodeRegistryEntry(ownProcessIdentity(), this.instance, leaseMs, checked);
    const temporary = join(directory, temporaryFileName(name));
    try {
      try {
        await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // Someone removed the directory: re-create it (with the same safety checks) and retry.
        prepareRegistryDirectory(directory);
        await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
      }
      await rename(temporary, join(directory, name));
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      if (SeamlessError.isInstance(error)) throw error;
      throw new SeamlessError(ErrorCode.ConfigInvalid, `cannot write registry entry ${name} in ${directory}: ${(error as Error).message}`, {
        cause: error,
        details: { directory },
      });
    }
  }
}
