// The host resolver: the public face of the registry directory (advertise, resolve, watch,
// close), one task at a time on its queue, with the writing side in RegistryWriter, the
// reading side in RegistryScanner and change notification in RegistryWatcher.
import { isOwnProcess } from '@seamless/local-addrs';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { AdvertisementTable } from '../advertisement-table.js';
import { integerOption } from '../check-option.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import { LeaseBook } from '../lease-book.js';
import type { LeaseRecord } from '../lease-book.js';
import type { Lease, Resolver, ResolverEvent } from '../resolver.js';
import { processWarningLogger } from '../resolver-logger.js';
import type { ResolverLogger } from '../resolver-logger.js';
import { parseTopicOrPattern } from '../topic-or-pattern.js';
import { WatchStreams } from '../watch-streams.js';
import type { HostResolverOptions, HostResolverStats } from './host-resolver-options.js';
import { defaultRegistryDirectory, prepareRegistryDirectory } from './registry-directory.js';
import { parseRegistryFileName, registryFileName } from './registry-file.js';
import { RegistryScanner } from './registry-scanner.js';
import { RegistryWatcher } from './registry-watcher.js';
import { RegistryWriter } from './registry-writer.js';
import { TopicKeys } from './topic-keys.js';

/**
 * With change notification working, only every this many rescan ticks lists the directory;
 * the ticks between only look at the owners already known (one liveness check each).
 */
const listEvery = 10;
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
 * - A pattern (`watch('md.>')`, `resolve('md.*')`) is served the same way, with the same
 *   removal reasons. File names hold a hash of the topic, so while a pattern is watched a
 *   scan also reads one file of each topic it has not met yet, once, to learn the topic; a
 *   topic that matches nothing watched is then skipped by every later scan and notification
 *   (see `RegistryScanner`).
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
  /** The entries of the watched topics; its listeners are the watches, by topic or pattern. */
  readonly #table = new AdvertisementTable();
  /** The topics behind the topic keys of file names, as far as known. */
  readonly #keys = new TopicKeys();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  readonly #warned = new Set<string>();
  readonly #writer: RegistryWriter;
  readonly #watcher: RegistryWatcher;
  readonly #scanner: RegistryScanner;
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
    this.#scanner = new RegistryScanner({
      directory: this.directory,
      instance: this.#writer.instance,
      table: this.#table,
      keys: this.#keys,
      watcher: this.#watcher,
    });
  }

  /** Counters; see {@link HostResolverStats}. */
  get stats(): HostResolverStats {
    return this.#scanner.stats;
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
      if (this.#table.isWatched(topic)) this.#table.set(checked);
      return record.lease;
    });
  }

  /**
   * Scans the directory and returns the live entries of the topic, or of every topic the
   * pattern matches (deleting dead ones it meets). A pattern reads one file of each topic
   * this resolver has not met yet, to learn its topic (see the class description).
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_CONFIG_INVALID` when the directory cannot
   *   be read, `ERR_CLOSED`.
   */
  async resolve(topicOrPattern: string): Promise<Advertisement[]> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('resolve');
    return this.#exclusive(() => this.#scanner.fullScan(pattern));
  }

  /** Watches the topic, or every topic the pattern matches (see {@link Resolver.watch} and the class description). */
  watch(topicOrPattern: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('watch');
    return this.#watches.iterable((sink) => {
      const unsubscribe = this.#table.feed(pattern, (event) => {
        sink.push(event);
      });
      if (!pattern.isPattern) this.#keys.note(pattern.text);
      this.#watcher.start();
      // The first watcher of a topic gets its snapshot from this scan, as 'added' events.
      this.#queueFullScan();
      return () => {
        unsubscribe();
        // What nobody watches any more leaves the table (a topic's own, or each the pattern matched).
        const topics = pattern.isPattern ? this.#table.matchingTopics(pattern) : [pattern.text];
        const unwatched = topics.filter((topic) => !this.#table.isWatched(topic));
        for (const topic of unwatched) this.#table.forget(topic);
        if (unwatched.length > 0 || pattern.isPattern) this.#scanner.topicUntracked();
        if (this.#table.listeners === 0) this.#stopTracking();
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

  #stopTracking(): void {
    this.#watcher.stop();
    this.#scanner.clearChanged();
  }

  #changed(filename: string | null): void {
    if (this.#closed || this.#table.listeners === 0) return;
    if (filename === null) {
      this.#queueFullScan();
      return;
    }
    const parts = parseRegistryFileName(filename);
    if (parts === undefined || !this.#scanner.follows(parts.topicKey)) return;
    this.#scanner.markChanged(filename);
    if (this.#dirtyCheckQueued) return;
    this.#dirtyCheckQueued = true;
    this.#background(async () => {
      this.#dirtyCheckQueued = false;
      await this.#scanner.checkChanged();
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
      if (await this.#scanner.ownersChanged()) this.#queueFullScan();
    });
  }

  #queueFullScan(): void {
    if (this.#fullScanQueued) return;
    this.#fullScanQueued = true;
    this.#background(async () => {
      this.#fullScanQueued = false;
      await this.#scanner.fullScan();
    });
  }

  async #refuseForeignOwner(name: string): Promise<void> {
    const existing = await this.#scanner.liveEntry(name);
    if (existing === undefined || isOwnProcess(existing.owner)) return;
    const { topic, publisherId } = existing.checked.advertisement;
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
      this.#scanner.forget(name);
      this.#table.delete(topic, publisherId, 'revoked');
    });
  }
}
