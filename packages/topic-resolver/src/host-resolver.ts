import { constants, statSync, unlinkSync, watch as watchDirectory } from 'node:fs';
import type { FSWatcher, Stats } from 'node:fs';
import { lstat, open, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, SeamlessError, validateTopic } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import { integerOption } from './check-option.js';
import { LeaseBook } from './lease-book.js';
import type { LeaseRecord } from './lease-book.js';
import { currentOwner, ownerState } from './process-owner.js';
import { defaultRegistryDirectory, prepareRegistryDirectory } from './registry-directory.js';
import {
  MAX_REGISTRY_FILE_BYTES,
  decodeRegistryEntry,
  encodeRegistryEntry,
  isTemporaryFileName,
  parseRegistryFileName,
  registryFileName,
  temporaryFileName,
  topicKey,
} from './registry-file.js';
import type { RegistryEntry } from './registry-file.js';
import type { Lease, Resolver, ResolverEvent, ResolverStats } from './resolver.js';
import { processWarningLogger } from './resolver-logger.js';
import type { ResolverLogger } from './resolver-logger.js';
import { WatchStreams } from './watch-streams.js';

/**
 * Options of {@link HostResolver}; every one is optional.
 *
 * @example
 * ```ts
 * const options: HostResolverOptions = { directory: '/run/my-app/seamless', rescanIntervalMs: 200 };
 * ```
 */
export interface HostResolverOptions {
  /**
   * The registry directory (default {@link defaultRegistryDirectory}). Created with mode 0700
   * when missing; refused when it is not a directory of this user closed to everyone else.
   * Only processes using the same directory see each other.
   */
  readonly directory?: string;
  /**
   * How long an entry stays valid without renewal (default 5000 ms). Dead owners are found
   * sooner by the liveness check; the lease retires entries whose owner cannot be checked
   * (another pid namespace) or has stopped renewing (closed without revoking, or frozen).
   */
  readonly leaseMs?: number;
  /** How often this resolver renews its own entries (default 1000 ms, less than `leaseMs`). */
  readonly renewIntervalMs?: number;
  /**
   * How often a watched directory is re-scanned as a safety net under `fs.watch` (default
   * 500 ms). This is what notices an owner killed with SIGKILL, so it bounds how long a dead
   * publisher stays visible.
   */
  readonly rescanIntervalMs?: number;
  /** Receives warnings such as "file change notification is unavailable" (default: process warnings). */
  readonly logger?: ResolverLogger;
}

/**
 * Counters of a {@link HostResolver}.
 *
 * @example
 * ```ts
 * const { invalid, ownerExited, expired, scans } = resolver.stats;
 * ```
 */
export interface HostResolverStats extends ResolverStats {
  /** Full scans of the registry directory. */
  readonly scans: number;
  /** Entries of dead owners this resolver deleted. */
  readonly ownerExited: number;
  /** Entries this resolver deleted because their lease ran out. */
  readonly expired: number;
}

type Inspection =
  | { readonly state: 'live'; readonly checked: CheckedAdvertisement }
  | { readonly state: 'removed'; readonly reason: string };

interface CachedFile {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** `undefined` when the file is garbage (already counted). */
  readonly entry: RegistryEntry | undefined;
}

/** Temporary files older than this belong to a writer that died between write and rename. */
const staleTemporaryMs = 30_000;
const owner = 'HostResolver';

const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) cleanup();
}

/**
 * The zero-configuration resolver for processes of one user on one host: a registry
 * directory (see {@link defaultRegistryDirectory}) with one file per advertisement, holding
 * the advertisement and its owner (pid, process start time, boot id, pid namespace).
 *
 * - `advertise()` writes the file atomically (temporary file + rename), renews it (touches it)
 *   every `renewIntervalMs` and re-creates it if someone removed it; `revoke()` and `close()`
 *   delete it, and so does a normal process exit.
 * - An entry whose owner is dead (including a recycled pid) is ignored and deleted by whoever
 *   notices; an entry not renewed within its lease is ignored and deleted as well (its owner,
 *   if alive, writes it again at its next renewal).
 * - `watch()` follows the directory with `fs.watch` and re-scans it every `rescanIntervalMs`
 *   as a safety net, which is also what notices an owner killed with SIGKILL.
 * - Works across network namespaces of one host (`ip netns exec` keeps `/dev/shm` and the pid
 *   namespace). Processes in other pid namespaces that share the directory see each other,
 *   but their liveness is judged by lease only.
 *
 * Every file is validated (size, JSON, envelope, `parseAdvertisement`, name) before use;
 * garbage is ignored and counted in `stats.invalid`. Timers and the file watcher never keep
 * the process alive; a `watch()` being iterated does.
 *
 * @example
 * ```ts
 * import { HostResolver } from '@seamless/topic-resolver';
 *
 * const resolver = new HostResolver(); // $XDG_RUNTIME_DIR/seamless or /dev/shm/seamless-<uid>
 * const lease = await resolver.advertise(advertisement);
 * console.log(await resolver.resolve(advertisement.topic)); // [advertisement], from any process of this user
 * await lease.revoke();
 * await resolver.close();
 * ```
 */
export class HostResolver implements Resolver {
  /** The registry directory in use. */
  readonly directory: string;
  readonly #leaseMs: number;
  readonly #renewIntervalMs: number;
  readonly #rescanIntervalMs: number;
  readonly #logger: ResolverLogger;
  readonly #table = new AdvertisementTable();
  /** Watched topics by topic key. */
  readonly #tracked = new Map<string, string>();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  readonly #files = new Map<string, CachedFile>();
  readonly #dirty = new Set<string>();
  readonly #warned = new Set<string>();
  readonly #stats = { invalid: 0, lastInvalid: undefined as string | undefined, scans: 0, ownerExited: 0, expired: 0 };
  readonly #exitCleanup = (): void => {
    for (const record of this.#leases.records()) {
      const { topic, publisherId } = record.checked.advertisement;
      try {
        unlinkSync(join(this.directory, registryFileName(topic, publisherId)));
      } catch {
        // Already gone, or the directory is: either way nothing is left to withdraw.
      }
    }
  };
  #queue: Promise<unknown> = Promise.resolve();
  #fullScanQueued = false;
  #dirtyCheckQueued = false;
  #watcher: FSWatcher | undefined;
  /** The inode of the directory `#watcher` follows: a re-created directory needs a new watcher. */
  #watchedInode: number | undefined;
  #rescanTimer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` for bad options, `ERR_CONFIG_INVALID` when
   *   the directory cannot be created or is not safe (wrong owner, open to others, a link).
   */
  constructor(options: HostResolverOptions = {}) {
    this.#leaseMs = integerOption(owner, 'leaseMs', options.leaseMs, 5000, 100, 86_400_000);
    this.#renewIntervalMs = integerOption(
      owner,
      'renewIntervalMs',
      options.renewIntervalMs,
      Math.min(1000, Math.floor(this.#leaseMs / 3)),
      10,
      this.#leaseMs - 1,
    );
    this.#rescanIntervalMs = integerOption(owner, 'rescanIntervalMs', options.rescanIntervalMs, 500, 10, 3_600_000);
    this.#logger = options.logger ?? processWarningLogger;
    this.directory = options.directory ?? defaultRegistryDirectory();
    prepareRegistryDirectory(this.directory);
  }

  /** Counters; see {@link HostResolverStats}. */
  get stats(): HostResolverStats {
    return { ...this.#stats };
  }

  /**
   * Writes the registry entry and renews it until the lease is revoked or the resolver closes.
   * Re-advertising a publisher id replaces its entry (watchers see `removed` + `added`).
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID`; `ERR_INVALID_ARGUMENT` when another
   *   live process already advertises the same topic and publisher id; `ERR_CONFIG_INVALID`
   *   when the entry cannot be written; `ERR_CLOSED`.
   */
  async advertise(advertisement: Advertisement): Promise<Lease> {
    this.#throwIfClosed('advertise');
    const checked = checkAdvertisement(advertisement);
    return this.#exclusive(async () => {
      this.#throwIfClosed('advertise');
      const { topic, publisherId } = checked.advertisement;
      const name = registryFileName(topic, publisherId);
      if (this.#leases.current(checked.advertisement) === undefined) await this.#refuseForeignOwner(name);
      await this.#write(name, checked);
      const record = this.#leases.issue(checked, (issued) => this.#withdraw(issued));
      this.#startRenewing();
      const tracked = this.#tracked.get(topicKey(topic));
      if (tracked === topic) this.#table.set(checked);
      return record.lease;
    });
  }

  /**
   * Scans the directory and returns the live entries of `topic` (deleting dead ones it meets).
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_CONFIG_INVALID` when the directory cannot
   *   be read, `ERR_CLOSED`.
   */
  async resolve(topic: string): Promise<Advertisement[]> {
    validateTopic(topic);
    this.#throwIfClosed('resolve');
    const key = topicKey(topic);
    const found = await this.#exclusive(() => this.#fullScan(new Map([[key, topic]])));
    return (found.get(key) ?? []).filter((advertisement) => advertisement.topic === topic);
  }

  watch(topic: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    validateTopic(topic);
    this.#throwIfClosed('watch');
    const key = topicKey(topic);
    return this.#watches.iterable((sink) => {
      const unsubscribe = this.#table.feed(topic, (event) => {
        sink.push(event);
      });
      this.#tracked.set(key, topic);
      this.#startTracking();
      // The first watcher of a topic gets its snapshot from this scan, as 'added' events.
      this.#queueFullScan();
      return () => {
        unsubscribe();
        if (this.#table.listenerCount(topic) === 0) {
          this.#tracked.delete(key);
          this.#table.forget(topic);
        }
        if (this.#tracked.size === 0) this.#stopTracking();
      };
    }, signal);
  }

  /** Ends every watch, deletes this resolver's entries and stops every timer and watcher. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.endAll();
    // An advertise() already past its check finishes first, so that its lease is revoked too.
    await this.#queue;
    await Promise.all(this.#leases.records().map((record) => record.lease.revoke()));
    await this.#queue;
    this.#stopTracking();
    this.#stopRenewing();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #throwIfClosed(operation: string): void {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, `cannot ${operation}: the host resolver is closed`);
  }

  /** Runs `task` after every task queued before it: scans and writes never interleave. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #background(task: () => Promise<unknown>): void {
    this.#exclusive(async () => {
      if (!this.#closed) await task();
    }).catch((error: unknown) => {
      this.#warnOnce('scan', `registry directory ${this.directory} could not be scanned (${(error as Error).message}); will retry`);
    });
  }

  #warnOnce(condition: string, message: string): void {
    if (this.#warned.has(condition)) return;
    this.#warned.add(condition);
    this.#logger.warn(message);
  }

  #countInvalid(problem: string): void {
    this.#stats.invalid += 1;
    this.#stats.lastInvalid = problem;
  }

  // --- Watching -------------------------------------------------------------------------------

  #startTracking(): void {
    this.#ensureWatcher();
    this.#rescanTimer ??= setInterval(() => {
      this.#ensureWatcher();
      this.#queueFullScan();
    }, this.#rescanIntervalMs).unref();
  }

  #stopTracking(): void {
    this.#closeWatcher();
    clearInterval(this.#rescanTimer);
    this.#rescanTimer = undefined;
    this.#dirty.clear();
  }

  #ensureWatcher(): void {
    if (this.#watcher !== undefined || this.#closed || this.#tracked.size === 0) return;
    const unavailable = (error: unknown): void => {
      this.#warnOnce(
        'watch',
        `file change notification for ${this.directory} is unavailable (${(error as Error).message}); changes are seen by re-scanning every ${this.#rescanIntervalMs} ms`,
      );
    };
    try {
      const inode = statSync(this.directory).ino;
      const watcher = watchDirectory(this.directory, { persistent: false }, (_, filename) => {
        this.#changed(filename);
      });
      this.#watchedInode = inode;
      watcher.on('error', (error) => {
        unavailable(error);
        if (this.#watcher === watcher) this.#closeWatcher();
        else watcher.close();
      });
      this.#watcher = watcher;
    } catch (error) {
      // A directory deleted by hand comes back with the next write; the re-scan retries then.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unavailable(error);
    }
  }

  #closeWatcher(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watchedInode = undefined;
  }

  #changed(filename: string | null): void {
    if (this.#closed || this.#tracked.size === 0) return;
    if (filename === null) {
      this.#queueFullScan();
      return;
    }
    const parts = parseRegistryFileName(filename);
    if (parts === undefined || !this.#tracked.has(parts.topicKey)) return;
    this.#dirty.add(filename);
    if (this.#dirtyCheckQueued) return;
    this.#dirtyCheckQueued = true;
    this.#background(async () => {
      this.#dirtyCheckQueued = false;
      const names = [...this.#dirty];
      this.#dirty.clear();
      for (const name of names) {
        const nameParts = parseRegistryFileName(name);
        if (nameParts !== undefined) this.#apply(nameParts, await this.#inspect(name));
      }
    });
  }

  #queueFullScan(): void {
    if (this.#fullScanQueued) return;
    this.#fullScanQueued = true;
    this.#background(async () => {
      this.#fullScanQueued = false;
      await this.#fullScan(new Map());
    });
  }

  // --- Scanning -------------------------------------------------------------------------------

  /**
   * Inspects every entry of the watched topics and of `extra` (topic key -> topic), updates the
   * table for watched topics and returns the live advertisements of the `extra` topics.
   */
  async #fullScan(extra: ReadonlyMap<string, string>): Promise<Map<string, Advertisement[]>> {
    this.#stats.scans += 1;
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SeamlessError(ErrorCode.ConfigInvalid, `registry directory ${this.directory} cannot be read: ${(error as Error).message}`, {
          cause: error,
        });
      }
      names = [];
    }
    await this.#checkWatchedDirectory();
    const wanted = new Set<string>();
    for (const name of names) {
      if (isTemporaryFileName(name)) {
        await this.#removeStaleTemporary(name);
        continue;
      }
      const parts = parseRegistryFileName(name);
      if (parts !== undefined && (this.#tracked.has(parts.topicKey) || extra.has(parts.topicKey))) wanted.add(name);
    }
    // Entries reported so far whose file is gone must be inspected too, to report them removed.
    for (const [key, topic] of this.#tracked) {
      for (const advertisement of this.#table.list(topic)) wanted.add(`${key}.${advertisement.publisherId}.json`);
    }
    const found = new Map<string, Advertisement[]>();
    for (const name of wanted) {
      const parts = parseRegistryFileName(name);
      if (parts === undefined) continue;
      const inspection = await this.#inspect(name);
      this.#apply(parts, inspection);
      if (inspection.state === 'live' && extra.has(parts.topicKey)) {
        const list = found.get(parts.topicKey) ?? [];
        list.push(inspection.checked.advertisement);
        found.set(parts.topicKey, list);
      }
    }
    const present = new Set(names);
    for (const name of this.#files.keys()) if (!present.has(name)) this.#files.delete(name);
    return found;
  }

  /** Drops a watcher that follows a deleted directory; the next re-scan tick makes a new one. */
  async #checkWatchedDirectory(): Promise<void> {
    if (this.#watcher === undefined) return;
    const inode = await stat(this.directory).then(
      (stats) => stats.ino,
      () => undefined,
    );
    if (inode !== this.#watchedInode) this.#closeWatcher();
  }

  #apply(parts: { topicKey: string; publisherId: string }, inspection: Inspection): void {
    const topic = this.#tracked.get(parts.topicKey);
    if (topic === undefined) return;
    if (inspection.state === 'live') {
      if (inspection.checked.advertisement.topic === topic) this.#table.set(inspection.checked);
    } else {
      this.#table.delete(topic, parts.publisherId, inspection.reason);
    }
  }

  /** Reads (or recalls) one entry, judges its owner and lease, and deletes it when dead. */
  async #inspect(name: string): Promise<Inspection> {
    const path = join(this.directory, name);
    let stats: Stats;
    try {
      stats = await lstat(path);
    } catch {
      return this.#missing(name);
    }
    let cached = this.#files.get(name);
    if (cached?.ino !== stats.ino || cached.size !== stats.size || cached.mtimeMs !== stats.mtimeMs) {
      const read = await this.#read(name, path, stats);
      if (read === 'missing') return this.#missing(name);
      cached = read;
      this.#files.set(name, cached);
    }
    const entry = cached.entry;
    if (entry === undefined) return { state: 'removed', reason: 'invalid' };
    if (ownerState(entry.owner) === 'dead') {
      if (await this.#unlinkIfUnchanged(path, cached)) this.#stats.ownerExited += 1;
      return { state: 'removed', reason: 'owner-exited' };
    }
    if (Date.now() - cached.mtimeMs > entry.leaseMs) {
      if (await this.#unlinkIfUnchanged(path, cached)) this.#stats.expired += 1;
      return { state: 'removed', reason: 'expired' };
    }
    return { state: 'live', checked: entry.checked };
  }

  #missing(name: string): Inspection {
    const cached = this.#files.get(name);
    this.#files.delete(name);
    const dead = cached?.entry !== undefined && ownerState(cached.entry.owner) === 'dead';
    return { state: 'removed', reason: dead ? 'owner-exited' : 'revoked' };
  }

  /** Reads and validates one file; garbage is counted once per version of the file. */
  async #read(name: string, path: string, linkStats: Stats): Promise<CachedFile | 'missing'> {
    const garbage = (stats: Stats, problem: string): CachedFile => {
      this.#countInvalid(problem);
      return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, entry: undefined };
    };
    if (!linkStats.isFile()) return garbage(linkStats, `${name}: not a regular file`);
    if (linkStats.size > MAX_REGISTRY_FILE_BYTES) {
      return garbage(linkStats, `${name}: ${linkStats.size} bytes, the limit is ${MAX_REGISTRY_FILE_BYTES}`);
    }
    let handle;
    try {
      // O_NOFOLLOW and O_NONBLOCK: a link or a FIFO swapped in after lstat can neither
      // redirect nor block the read.
      handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      return garbage(linkStats, `${name}: cannot be opened (${(error as Error).message})`);
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) return garbage(stats, `${name}: not a regular file`);
      const buffer = Buffer.alloc(MAX_REGISTRY_FILE_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
      const decoded = decodeRegistryEntry(name, buffer.subarray(0, bytesRead));
      if ('problem' in decoded) return garbage(stats, decoded.problem);
      return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, entry: decoded.entry };
    } catch (error) {
      return garbage(linkStats, `${name}: cannot be read (${(error as Error).message})`);
    } finally {
      await handle.close();
    }
  }

  /** Deletes `path` unless it was replaced or renewed since it was judged; true if deleted. */
  async #unlinkIfUnchanged(path: string, judged: CachedFile): Promise<boolean> {
    try {
      const now = await lstat(path);
      if (now.ino !== judged.ino || now.mtimeMs !== judged.mtimeMs) return false;
      await unlink(path);
      return true;
    } catch {
      return false;
    }
  }

  async #removeStaleTemporary(name: string): Promise<void> {
    const path = join(this.directory, name);
    try {
      const stats = await lstat(path);
      if (Date.now() - stats.mtimeMs > staleTemporaryMs) await unlink(path);
    } catch {
      // Renamed into place or removed meanwhile.
    }
  }

  // --- Own entries ------------------------------------------------------------------------------

  async #refuseForeignOwner(name: string): Promise<void> {
    const inspection = await this.#inspect(name);
    if (inspection.state !== 'live') return;
    const existing = this.#files.get(name)?.entry?.owner;
    const self = currentOwner();
    if (existing === undefined || (existing.pid === self.pid && existing.startTime === self.startTime)) return;
    const { topic, publisherId } = inspection.checked.advertisement;
    throw new SeamlessError(
      ErrorCode.InvalidArgument,
      `publisher ${JSON.stringify(publisherId)} of topic ${JSON.stringify(topic)} is already advertised by process ${existing.pid} in ${this.directory}; publisher ids must be unique`,
      { details: { topic, publisherId, pid: existing.pid } },
    );
  }

  /** Writes an entry atomically: a temporary file in the same directory, then rename. */
  async #write(name: string, checked: CheckedAdvertisement): Promise<void> {
    const content = encodeRegistryEntry(currentOwner(), this.#leaseMs, checked);
    const temporary = join(this.directory, temporaryFileName(name));
    try {
      try {
        await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // Someone removed the directory: re-create it (with the same safety checks) and retry.
        prepareRegistryDirectory(this.directory);
        await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
      }
      await rename(temporary, join(this.directory, name));
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      if (SeamlessError.isInstance(error)) throw error;
      throw new SeamlessError(
        ErrorCode.ConfigInvalid,
        `cannot write registry entry ${name} in ${this.directory}: ${(error as Error).message}`,
        { cause: error, details: { directory: this.directory } },
      );
    }
  }

  #withdraw(record: LeaseRecord): Promise<void> {
    return this.#exclusive(async () => {
      const { topic, publisherId } = record.checked.advertisement;
      // Re-advertised meanwhile: the file now belongs to the newer lease.
      if (this.#leases.current(record.checked.advertisement) !== undefined) return;
      const name = registryFileName(topic, publisherId);
      await unlink(join(this.directory, name)).catch(() => undefined);
      this.#files.delete(name);
      if (this.#tracked.get(topicKey(topic)) === topic) this.#table.delete(topic, publisherId, 'revoked');
      if (this.#leases.size === 0) this.#stopRenewing();
    });
  }

  #startRenewing(): void {
    exitCleanups.add(this.#exitCleanup);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', runExitCleanups);
    }
    this.#renewTimer ??= setInterval(() => {
      this.#background(() => this.#renew());
    }, this.#renewIntervalMs).unref();
  }

  #stopRenewing(): void {
    exitCleanups.delete(this.#exitCleanup);
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  async #renew(): Promise<void> {
    for (const record of this.#leases.records()) {
      const { topic, publisherId } = record.checked.advertisement;
      const name = registryFileName(topic, publisherId);
      const now = new Date();
      try {
        await utimes(join(this.directory, name), now, now);
      } catch (error) {
        if (!this.#leases.isCurrent(record)) continue;
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.#warnOnce('renew', `cannot renew registry entry ${name} in ${this.directory}: ${(error as Error).message}`);
          continue;
        }
        // Deleted by someone who judged it expired (or by hand): write it again.
        try {
          await this.#write(name, record.checked);
        } catch (writeError) {
          this.#warnOnce('renew', (writeError as Error).message);
        }
      }
    }
  }
}
