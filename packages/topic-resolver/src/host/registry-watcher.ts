import { statSync, watch as watchDirectory } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { realTimers } from '@seamless/transport';

/** What a {@link RegistryWatcher} reports to. */
export interface RegistryWatcherSettings {
  readonly directory: string;
  readonly rescanIntervalMs: number;
  /** A file changed (`null`: the kernel did not say which, so anything may have). */
  readonly changed: (filename: string | null) => void;
  /** Time for the safety-net rescan. */
  readonly rescan: () => void;
  readonly warn: (condition: string, message: string) => void;
}

/**
 * Follows the registry directory: `fs.watch` for prompt news of added and removed entries, and
 * a rescan timer as the safety net (notification can be unavailable, can overflow, and says
 * nothing when the directory is replaced). Neither keeps the process alive.
 */
export class RegistryWatcher {
  readonly #settings: RegistryWatcherSettings;
  #watcher: FSWatcher | undefined;
  /** The inode of the directory `#watcher` follows: a re-created directory needs a new watcher. */
  #watchedInode: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: RegistryWatcherSettings) {
    this.#settings = settings;
  }

  /** Whether change notification is working now (otherwise only rescans see changes). */
  get notifying(): boolean {
    return this.#watcher !== undefined;
  }

  start(): void {
    this.#ensureWatcher();
    this.#timer ??= realTimers
      .setInterval(() => {
        this.#ensureWatcher();
        this.#settings.rescan();
      }, this.#settings.rescanIntervalMs)
      .unref();
  }

  stop(): void {
    this.#closeWatcher();
    realTimers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Drops a watcher that follows a deleted directory; the next rescan tick makes a new one. */
  async verify(): Promise<void> {
    if (this.#watcher === undefined) return;
    const inode = await stat(this.#settings.directory).then(
      (stats) => stats.ino,
      () => undefined,
    );
    if (inode !== this.#watchedInode) this.#closeWatcher();
  }

  #ensureWatcher(): void {
    if (this.#watcher !== undefined) return;
    const { directory, rescanIntervalMs } = this.#settings;
    const unavailable = (error: unknown): void => {
      this.#settings.warn(
        'watch',
        `file change notification for ${directory} is unavailable (${(error as Error).message}); changes are seen by re-scanning every ${rescanIntervalMs} ms`,
      );
    };
    try {
      const inode = statSync(directory).ino;
      const watcher = watchDirectory(directory, { persistent: false }, (_, filename) => {
        this.#settings.changed(filename);
      });
      this.#watchedInode = inode;
      watcher.on('error', (error) => {
        unavailable(error);
        if (this.#watcher === watcher) this.#closeWatcher();
        else watcher.close();
      });
      this.#watcher = watcher;
    } catch (error) {
      // A directory deleted by hand comes back with the next write; the rescan retries then.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unavailable(error);
    }
  }

  #closeWatcher(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watchedInode = undefined;
  }
}
