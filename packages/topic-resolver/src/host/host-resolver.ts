import type { Stats } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isOwnProcess, processKey, processLiveness } from '@seamless/local-addrs';
import type { Liveness, ProcessIdentity } from '@seamless/local-addrs';
import { ErrorCode, realTimers, SeamlessError, validateTopic } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { AdvertisementTable } from '../advertisement-table.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import { integerOption } from '../check-option.js';
import { LeaseBook } from '../lease-book.js';
import type { LeaseRecord } from '../lease-book.js';
import type { Lease, Resolver, ResolverEvent } from '../resolver.js';
import { processWarningLogger } from '../resolver-logger.js';
import type { ResolverLogger } from '../resolver-logger.js';
import { WatchStreams } from '../watch-streams.js';
import type { HostResolverOptions, HostResolverStats } from './host-resolver-options.js';
import { heartbeatFileName } from './instance-heartbeat.js';
import { defaultRegistryDirectory, prepareRegistryDirectory } from './registry-directory.js';
import { isTemporaryFileName, parseRegistryFileName, registryFileName, topicKey } from './registry-file.js';
import type { RegistryEntry } from './registry-file.js';
import { readRegistryFile } from './registry-reader.js';
import type { CachedFile } from './registry-reader.js';
import { RegistryWatcher } from './registry-watcher.js';
import { RegistryWriter } from './registry-writer.js';

type Inspection =
  { readonly state: 'live'; readonly checked: CheckedAdvertisement } | { readonly state: 'removed'; readonly reason: string };

/**
 * What one pass over the directory learnt, so that every owner and every heartbeat is looked
 * at once per pass, however many entries they have.
 */
interface Pass {
  readonly now: number;
  readonly owners: Map<string, Liveness>;
  /** Instance -> its heartbeat's mtime (`undefined`: none). */
  readonly heartbeats: Map<string, number | undefined>;
  /** Heartbeats removed in this pass. */
  readonly removed: Set<string>;
}

/** Temporary files older than this belong to a writer that died between write and rename. */
const staleTemporaryMs = 30_000;
/**
 * With change notification working, only every this many rescan ticks lists the directory;
 * the ticks between only look at the owners already known (one liveness check each).
 */
const listEvery = 10;
/** Every this many listings, known files are checked again even when change notification works. */
const verifyEvery = 6;
const owner = 'HostResolver';

/**
 * The zero-configuration resolver for processes of one user on one host: a registry
 * directory (see {@link defaultRegistryDirectory}) with one file per advertisement, holding
 * the advertisement, its owner (a `@seamless/local-addrs` ProcessIdentity: pid, start time,
 * PID namespace, boot id, presence pipe) and the resolver instance that wrote it.
 *
 * - `advertise()` writes the file atomically (temporary file + rename); it never changes
 *   afterwards. One heartbeat file per resolver instance, touched every `renewIntervalMs`,
 *   renews all its entries at once, and any entry someone removed is written again;
 *   `revoke()` and `close()` delete entries, and so does a normal process exit.
 * - Liveness is judged per owner, once per scan, with `processLiveness`: an entry whose owner
 *   lives is valid whatever its age; one whose owner is dead (including a recycled pid) is
 *   ignored and deleted by whoever notices; one whose owner cannot be checked from here
 *   (another PID namespace without a presence pipe we see) is valid while its instance's
 *   heartbeat is younger than the entry's lease.
 * - `watch()` follows the directory with `fs.watch` and re-scans it every `rescanIntervalMs`
 *   as a safety net, which is also what notices an owner killed with SIGKILL. A rescan lists
 *   the directory and reads only the files it has not seen (every tenth rescan, or every one
 *   without change notification, checks every known file again).
 * - Works across network namespaces of one host (`ip netns exec` keeps `/dev/shm` and the PID
 *   namespace), and across PID namespaces (containers) that share the directory.
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
  readonly #logger: ResolverLogger;
  readonly #table = new AdvertisementTable();
  /** Watched topics by topic key. */
  readonly #tracked = new Map<string, string>();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  readonly #files = new Map<string, CachedFile>();
  /** Files whose live entry the table already holds: a rescan that finds them unchanged has nothing to do. */
  #inTable = new WeakSet<CachedFile>();
  readonly #dirty = new Set<string>();
  readonly #warned = new Set<string>();
  readonly #stats = { invalid: 0, lastInvalid: undefined as string | undefined, scans: 0, ownerExited: 0, expired: 0 };
  readonly #writer: RegistryWriter;
  readonly #watcher: RegistryWatcher;
  /**
   * The owners of the live entries of watched topics (by owner key, with each instance and the
   * shortest lease it gave): what the ticks between two listings check.
   */
  #owners = new Map<string, { readonly identity: ProcessIdentity; readonly instances: Map<string, number> }>();
  #ticks = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #fullScanQueued = false;
  #dirtyCheckQueued = false;
  #closed = false;

  /**
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` for bad options, `ERR_CONFIG_INVALID` when
   *   the directory cannot be created or is not safe (wrong owner, open to others, a link).
   */
  constructor(options: HostResolverOptions = {}) {
    this.#leaseMs = integerOption(owner, 'leaseMs', options.leaseMs, 5000, 100, 86_400_000);
    const renewIntervalMs = integerOption(
      owner,
      'renewIntervalMs',
      options.renewIntervalMs,
      Math.min(1000, Math.floor(this.#leaseMs / 3)),
      10,
      this.#leaseMs - 1,
    );
    const rescanIntervalMs = integerOption(owner, 'rescanIntervalMs', options.rescanIntervalMs, 500, 10, 3_600_000);
    this.#logger = options.logger ?? processWarningLogger;
    this.directory = options.directory ?? defaultRegistryDirectory();
    prepareRegistryDirectory(this.directory);
    const warn = (condition: string, message: string): void => {
      this.#warnOnce(condition, message);
    };
    this.#writer = new RegistryWriter({
      directory: this.directory,
      leaseMs: this.#leaseMs,
      renewIntervalMs,
      schedule: (task) => {
        this.#background(task);
      },
      warn,
    });
    this.#watcher = new RegistryWatcher({
      directory: this.directory,
      rescanIntervalMs,
      changed: (filename) => {
        this.#changed(filename);
      },
      rescan: () => {
        this.#tick();
      },
      warn,
    });
  }

  /** Counters; see {@link HostResolverStats}. */
  get stats(): HostResolverStats {
    return { ...this.#stats };
  }

  /**
   * Writes the registry entry and keeps it renewed until the lease is revoked or the resolver
   * closes. Re-advertising a publisher id replaces its entry (watchers see `removed` + `added`).
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
      await this.#writer.write(name, checked);
      const record = this.#leases.issue(checked, (issued) => this.#withdraw(issued));
      if (this.#tracked.get(topicKey(topic)) === topic) this.#table.set(checked);
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
      this.#watcher.start();
      // The first watcher of a topic gets its snapshot from this scan, as 'added' events.
      this.#queueFullScan();
      return () => {
        unsubscribe();
        if (this.#table.listenerCount(topic) === 0) {
          this.#tracked.delete(key);
          this.#table.forget(topic);
          this.#inTable = new WeakSet();
        }
        if (this.#tracked.size === 0) this.#stopTracking();
      };
    }, signal);
  }

  /** Ends every watch, deletes this resolver's entries and heartbeat and stops every timer and watcher. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.endAll();
    // An advertise() already past its check finishes first, so that its lease is revoked too.
    await this.#queue;
    await Promise.all(this.#leases.records().map((record) => record.lease.revoke()));
    await this.#queue;
    this.#stopTracking();
    await this.#writer.stop();
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

  #stopTracking(): void {
    this.#watcher.stop();
    this.#dirty.clear();
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
      const pass = this.#newPass();
      for (const name of names) {
        const nameParts = parseRegistryFileName(name);
        if (nameParts === undefined) continue;
        const inspection = await this.#inspect(name, pass, false);
        this.#apply(nameParts, inspection);
        const entry = this.#files.get(name)?.entry;
        if (inspection.state === 'live' && entry !== undefined) this.#noteOwner(entry);
      }
    });
  }

  /**
   * The safety net under change notification: a look at every known owner each tick, which is
   * what notices an owner killed with SIGKILL (its files do not change), and a listing of the
   * directory every `listEvery` ticks (every tick without notification) for what notification
   * missed. An owner found dead, or whose heartbeat went stale, brings the listing forward.
   */
  #tick(): void {
    this.#ticks += 1;
    if (!this.#watcher.notifying || this.#ticks % listEvery === 0) {
      this.#queueFullScan();
      return;
    }
    this.#background(async () => {
      if (this.#fullScanQueued) return;
      const pass = this.#newPass();
      for (const { identity, instances } of this.#owners.values()) {
        const liveness = this.#liveness(identity, pass);
        if (liveness === 'alive') continue;
        if (liveness === 'unknown') {
          let fresh = true;
          for (const [instance, leaseMs] of instances) {
            const renewedAt = await this.#heartbeat(instance, pass);
            if (renewedAt === undefined || pass.now - renewedAt > leaseMs) fresh = false;
          }
          if (fresh) continue;
        }
        this.#queueFullScan();
        return;
      }
    });
  }

  #noteOwner(entry: RegistryEntry): void {
    const key = processKey(entry.owner);
    let known = this.#owners.get(key);
    if (known === undefined) {
      known = { identity: entry.owner, instances: new Map() };
      this.#owners.set(key, known);
    }
    const leaseMs = known.instances.get(entry.instance);
    if (leaseMs === undefined || entry.leaseMs < leaseMs) known.instances.set(entry.instance, entry.leaseMs);
  }

  #queueFullScan(): void {
    if (this.#fullScanQueued) return;
    this.#fullScanQueued = true;
    this.#background(async () => {
      this.#fullScanQueued = false;
      await this.#fullScan(new Map());
    });
  }

  #newPass(): Pass {
    return { now: realTimers.dateNow(), owners: new Map(), heartbeats: new Map(), removed: new Set() };
  }

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
        throw new SeamlessError(
          ErrorCode.ConfigInvalid,
          `registry directory ${this.directory} cannot be read: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      names = [];
    }
    await this.#watcher.verify();
    // With change notification working, a file seen before is unchanged unless notification
    // said otherwise (entries never change in place); now and then, and without it, check all.
    const trustKnown = this.#watcher.notifying && this.#stats.scans % verifyEvery !== 0;
    const pass = this.#newPass();
    this.#owners = new Map();
    const present = new Map<string, { topicKey: string; publisherId: string }>();
    for (const name of names) {
      if (isTemporaryFileName(name)) {
        await this.#removeStaleTemporary(name, pass.now);
        continue;
      }
      const parts = parseRegistryFileName(name);
      if (parts !== undefined && (this.#tracked.has(parts.topicKey) || extra.has(parts.topicKey))) present.set(name, parts);
    }
    const found = new Map<string, Advertisement[]>();
    for (const [name, parts] of present) {
      const known = trustKnown && !this.#dirty.has(name) ? this.#files.get(name) : undefined;
      const judged = known === undefined ? undefined : this.#judgeAlive(known, pass);
      if (known?.entry !== undefined && judged?.state === 'live' && this.#inTable.has(known) && !extra.has(parts.topicKey)) {
        this.#noteOwner(known.entry);
        continue;
      }
      const inspection = judged ?? (await this.#inspect(name, pass, known !== undefined));
      this.#apply(parts, inspection);
      const cached = this.#files.get(name);
      if (cached?.entry !== undefined && inspection.state === 'live' && this.#tracked.has(parts.topicKey)) {
        this.#inTable.add(cached);
        this.#noteOwner(cached.entry);
      }
      if (inspection.state === 'live' && extra.has(parts.topicKey)) {
        const list = found.get(parts.topicKey) ?? [];
        list.push(inspection.checked.advertisement);
        found.set(parts.topicKey, list);
      }
    }
    // Files seen before and gone now: their entries are removed.
    const listed = new Set(names);
    for (const name of [...this.#files.keys()]) {
      if (listed.has(name)) continue;
      const parts = parseRegistryFileName(name);
      if (parts === undefined) this.#files.delete(name);
      else this.#apply(parts, this.#missing(name, pass));
    }
    return found;
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

  /** The verdict on a known file whose owner lives, without any I/O; `undefined` otherwise. */
  #judgeAlive(cached: CachedFile, pass: Pass): Inspection | undefined {
    const entry = cached.entry;
    if (entry === undefined) return { state: 'removed', reason: 'invalid' };
    return this.#liveness(entry.owner, pass) === 'alive' ? { state: 'live', checked: entry.checked } : undefined;
  }

  /**
   * Reads (or, with `trustCache`, recalls) one entry, judges it, and deletes it when its owner
   * is dead or its lease ran out.
   */
  async #inspect(name: string, pass: Pass, trustCache: boolean): Promise<Inspection> {
    const path = join(this.directory, name);
    let cached = trustCache ? this.#files.get(name) : undefined;
    if (cached === undefined) {
      let stats: Stats;
      try {
        stats = await lstat(path);
      } catch {
        return this.#missing(name, pass);
      }
      cached = this.#files.get(name);
      if (cached?.ino !== stats.ino || cached.size !== stats.size || cached.mtimeMs !== stats.mtimeMs) {
        const read = await readRegistryFile(name, path, stats, (problem) => {
          this.#countInvalid(problem);
        });
        if (read === 'missing') return this.#missing(name, pass);
        cached = read;
        this.#files.set(name, cached);
      }
    }
    const entry = cached.entry;
    if (entry === undefined) return { state: 'removed', reason: 'invalid' };
    const liveness = this.#liveness(entry.owner, pass);
    if (liveness === 'alive') return { state: 'live', checked: entry.checked };
    if (liveness === 'dead') {
      if (await this.#unlinkIfUnchanged(path, cached)) this.#stats.ownerExited += 1;
      await this.#removeHeartbeat(entry.instance, pass);
      return { state: 'removed', reason: 'owner-exited' };
    }
    const renewedAt = (await this.#heartbeat(entry.instance, pass)) ?? cached.mtimeMs;
    if (pass.now - renewedAt <= entry.leaseMs) return { state: 'live', checked: entry.checked };
    if (await this.#unlinkIfUnchanged(path, cached)) this.#stats.expired += 1;
    await this.#removeHeartbeat(entry.instance, pass);
    return { state: 'removed', reason: 'expired' };
  }

  #missing(name: string, pass: Pass): Inspection {
    const cached = this.#files.get(name);
    this.#files.delete(name);
    const dead = cached?.entry !== undefined && this.#liveness(cached.entry.owner, pass) === 'dead';
    return { state: 'removed', reason: dead ? 'owner-exited' : 'revoked' };
  }

  /** Whether `identity` runs, looked at once per pass (this process without a look). */
  #liveness(identity: ProcessIdentity, pass: Pass): Liveness {
    if (isOwnProcess(identity)) return 'alive';
    const key = processKey(identity);
    let liveness = pass.owners.get(key);
    if (liveness === undefined) {
      liveness = processLiveness(identity);
      pass.owners.set(key, liveness);
    }
    return liveness;
  }

  /** When the instance's heartbeat was last renewed, looked at once per pass. */
  async #heartbeat(instance: string, pass: Pass): Promise<number | undefined> {
    if (pass.heartbeats.has(instance)) return pass.heartbeats.get(instance);
    const mtimeMs = await lstat(join(this.directory, heartbeatFileName(instance))).then(
      (stats) => stats.mtimeMs,
      () => undefined,
    );
    pass.heartbeats.set(instance, mtimeMs);
    return mtimeMs;
  }

  /** Removes the heartbeat of an instance found dead or expired (its owner, if alive, makes a new one). */
  async #removeHeartbeat(instance: string, pass: Pass): Promise<void> {
    if (instance === this.#writer.instance || pass.removed.has(instance)) return;
    pass.removed.add(instance);
    await unlink(join(this.directory, heartbeatFileName(instance))).catch(() => undefined);
  }

  /** Deletes `path` unless it was replaced since it was judged; true if deleted. */
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

  async #removeStaleTemporary(name: string, now: number): Promise<void> {
    const path = join(this.directory, name);
    try {
      const stats = await lstat(path);
      if (now - stats.mtimeMs > staleTemporaryMs) await unlink(path);
    } catch {
      // Renamed into place or removed meanwhile.
    }
  }

  async #refuseForeignOwner(name: string): Promise<void> {
    const inspection = await this.#inspect(name, this.#newPass(), false);
    if (inspection.state !== 'live') return;
    const existing = this.#files.get(name)?.entry;
    if (existing === undefined || isOwnProcess(existing.owner)) return;
    const { topic, publisherId } = inspection.checked.advertisement;
    throw new SeamlessError(
      ErrorCode.InvalidArgument,
      `publisher ${JSON.stringify(publisherId)} of topic ${JSON.stringify(topic)} is already advertised by process ${existing.owner.pid} in ${this.directory}; publisher ids must be unique`,
      { details: { topic, publisherId, pid: existing.owner.pid } },
    );
  }

  #withdraw(record: LeaseRecord): Promise<void> {
    return this.#exclusive(async () => {
      const { topic, publisherId } = record.checked.advertisement;
      // Re-advertised meanwhile: the file now belongs to the newer lease.
      if (this.#leases.current(record.checked.advertisement) !== undefined) return;
      const name = registryFileName(topic, publisherId);
      await this.#writer.remove(name);
      this.#files.delete(name);
      if (this.#tracked.get(topicKey(topic)) === topic) this.#table.delete(topic, publisherId, 'revoked');
    });
  }
}
