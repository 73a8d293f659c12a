// The host resolver's reading side: what it knows of the registry directory's files and their
// owners, and the passes (a full listing, the files change notification named, a look at the
// known owners) that keep the table of the watched topics and patterns in step with the
// directory, deleting the entries of dead owners on the way.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { processKey } from '@seamless/local-addrs';
import type { ProcessIdentity } from '@seamless/local-addrs';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { Advertisement, TopicPattern } from '@seamless/transport';
import type { AdvertisementTable } from '../advertisement-table.js';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import type { HostResolverStats } from './host-resolver-options.js';
import { removeStaleTemporary, unlinkIfUnchanged } from './registry-cleanup.js';
import { isTemporaryFileName, parseRegistryFileName } from './registry-file.js';
import type { RegistryEntry } from './registry-file.js';
import { readRegistryFile } from './registry-reader.js';
import type { CachedFile } from './registry-reader.js';
import type { RegistryWatcher } from './registry-watcher.js';
import { ScanPass } from './scan-pass.js';
import type { TopicKeys } from './topic-keys.js';

type Inspection =
  { readonly state: 'live'; readonly checked: CheckedAdvertisement } | { readonly state: 'removed'; readonly reason: string };

/** Every this many listings, known files are checked again even when change notification works. */
const verifyEvery = 6;

/** What a {@link RegistryScanner} reads and keeps up to date. */
export interface RegistryScannerSettings {
  /** The registry directory. */
  readonly directory: string;
  /** The instance of the resolver that scans (see {@link ScanPass}). */
  readonly instance: string;
  /**
   * The table of the watched topics, which every pass updates; its listeners (watches of
   * topics and of patterns) say which topics are watched.
   */
  readonly table: AdvertisementTable;
  /** The topics behind the keys of file names, as far as known; every pass adds what it reads. */
  readonly keys: TopicKeys;
  /** Whether change notification works, and its check before a listing. */
  readonly watcher: Pick<RegistryWatcher, 'notifying' | 'verify'>;
}

/**
 * Reads the registry directory for a {@link HostResolver}: caches every file of a watched (or
 * resolved) topic it read (by inode, size and mtime), judges each entry by its owner's
 * liveness (or, for an owner it cannot check, its instance's heartbeat), deletes dead ones,
 * and applies what it finds to the table of the watched topics. Counts what it sees in
 * {@link stats}. Not reentrant: the resolver runs one pass at a time.
 *
 * What a pass looks at: file names hold a hash of the topic (the topic key), so the files of a
 * topic watched by name are found by their key, and the others are never opened. A pattern
 * cannot be hashed: while a pattern is watched, a pass also reads the first file of each key
 * whose topic it does not know yet ({@link TopicKeys}), once, to learn the topic; a key whose
 * topic matches nothing watched is then skipped like any other, and its file is not cached.
 * So a pattern watch costs, beyond the listing every watch pays, one read per topic that
 * appears in the directory, and for the topics it matches what a watch of each by name costs.
 */
export class RegistryScanner {
  readonly #settings: RegistryScannerSettings;
  readonly #files = new Map<string, CachedFile>();
  /** Files whose live entry the table already holds: a rescan that finds them unchanged has nothing to do. */
  #inTable = new WeakSet<CachedFile>();
  /** Files change notification named since they were last looked at. */
  readonly #dirty = new Set<string>();
  readonly #stats = { invalid: 0, lastInvalid: undefined as string | undefined, scans: 0, ownerExited: 0, expired: 0 };
  /**
   * The owners of the live entries of watched topics (by owner key, with each instance and the
   * shortest lease it gave): what {@link ownersChanged} checks.
   */
  #owners = new Map<string, { readonly identity: ProcessIdentity; readonly instances: Map<string, number> }>();

  constructor(settings: RegistryScannerSettings) {
    this.#settings = settings;
  }

  /** Counters; see {@link HostResolverStats}. */
  get stats(): HostResolverStats {
    return { ...this.#stats };
  }

  /** Change notification named the file `name`: {@link checkChanged} reads it, a full scan does not trust its cache. */
  markChanged(name: string): void {
    this.#dirty.add(name);
  }

  /** Forgets the files change notification named (nothing is watched any more). */
  clearChanged(): void {
    this.#dirty.clear();
  }

  /** A watched topic left the table: no file may be assumed to be in it any more. */
  topicUntracked(): void {
    this.#inTable = new WeakSet();
  }

  /**
   * Whether the files of topic key `key` concern the watches: those of a watched topic, and,
   * while a pattern is watched, those of a key whose topic is not known yet (to learn it).
   */
  follows(key: string): boolean {
    const { table, keys } = this.#settings;
    const topic = keys.topicOf(key);
    return topic === undefined ? table.patternListeners > 0 : table.isWatched(topic);
  }

  /** This resolver deleted the file `name` itself. */
  forget(name: string): void {
    this.#files.delete(name);
  }

  /** Reads and judges the files change notification named since the last call. */
  async checkChanged(): Promise<void> {
    const names = [...this.#dirty];
    this.#dirty.clear();
    const pass = this.#newPass();
    for (const name of names) {
      const nameParts = parseRegistryFileName(name);
      // Learnt meanwhile (from another file of the same key) to be of a topic nobody watches.
      if (nameParts === undefined || !this.follows(nameParts.topicKey)) continue;
      const inspection = await this.#inspect(name, pass, false);
      const watched = this.#apply(nameParts, inspection);
      const entry = this.#files.get(name)?.entry;
      // Read only to learn its topic: nothing follows it, so it is not kept (garbage is, so
      // that it is counted once per version).
      if (!watched && entry !== undefined) this.#files.delete(name);
      else if (watched && inspection.state === 'live' && entry !== undefined) this.#noteOwner(entry);
    }
  }

  /**
   * Looks at every known owner: true when one is dead, or cannot be checked and its heartbeat
   * went stale (what a SIGKILL leaves behind: its files do not change), so a full scan is due.
   */
  async ownersChanged(): Promise<boolean> {
    const pass = this.#newPass();
    for (const { identity, instances } of this.#owners.values()) {
      const liveness = pass.liveness(identity);
      if (liveness === 'alive') continue;
      if (liveness === 'unknown') {
        let fresh = true;
        for (const [instance, leaseMs] of instances) {
          const renewedAt = await pass.heartbeat(instance);
          if (renewedAt === undefined || pass.now - renewedAt > leaseMs) fresh = false;
        }
        if (fresh) continue;
      }
      return true;
    }
    return false;
  }

  /**
   * Inspects every entry of the watched topics and patterns and, with `collect`, of the topics
   * it matches; updates the table for watched topics and returns the live advertisements
   * `collect` matches.
   *
   * @throws SeamlessError `ERR_CONFIG_INVALID` when the directory cannot be read.
   */
  async fullScan(collect?: TopicPattern): Promise<Advertisement[]> {
    const { directory, keys, table, watcher } = this.#settings;
    this.#stats.scans += 1;
    if (collect !== undefined && !collect.isPattern) keys.note(collect.text);
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SeamlessError(ErrorCode.ConfigInvalid, `registry directory ${directory} cannot be read: ${(error as Error).message}`, {
          cause: error,
        });
      }
      names = [];
    }
    await watcher.verify();
    // With change notification working, a file seen before is unchanged unless notification
    // said otherwise (entries never change in place); now and then, and without it, check all.
    const trustKnown = watcher.notifying && this.#stats.scans % verifyEvery !== 0;
    const pass = this.#newPass();
    this.#owners = new Map();
    const listedKeys = new Set<string>();
    // Whether `collect` wants the files of `key`: those of a matching topic, and those of a key
    // not known yet when it is a pattern (decided per file: one read may settle its key).
    const collects = (key: string): boolean => {
      if (collect === undefined) return false;
      const topic = keys.topicOf(key);
      return topic === undefined ? collect.isPattern : collect.matches(topic);
    };
    const found: Advertisement[] = [];
    for (const name of names) {
      if (isTemporaryFileName(name)) {
        await removeStaleTemporary(directory, name, pass.now);
        continue;
      }
      const parts = parseRegistryFileName(name);
      if (parts === undefined) continue;
      listedKeys.add(parts.topicKey);
      const followed = this.follows(parts.topicKey);
      if (!followed && !collects(parts.topicKey)) continue;
      // Notification marks the files it names only for followed keys: the cache of any other
      // file (read for a resolve) may be stale.
      const known = trustKnown && followed && !this.#dirty.has(name) ? this.#files.get(name) : undefined;
      const judged = known === undefined ? undefined : this.#judgeAlive(known, pass);
      if (known?.entry !== undefined && judged?.state === 'live' && this.#inTable.has(known)) {
        this.#noteOwner(known.entry);
        if (collect?.matches(known.entry.checked.advertisement.topic) === true) found.push(known.entry.checked.advertisement);
        continue;
      }
      const inspection = judged ?? (await this.#inspect(name, pass, known !== undefined));
      const watched = this.#apply(parts, inspection);
      const cached = this.#files.get(name);
      const collected = inspection.state === 'live' && collect?.matches(inspection.checked.advertisement.topic) === true;
      if (cached?.entry !== undefined && inspection.state === 'live' && watched) {
        this.#inTable.add(cached);
        this.#noteOwner(cached.entry);
      }
      if (collected) found.push(inspection.checked.advertisement);
      // Read only to learn its topic: nothing follows it, so it is not kept (garbage is, so
      // that it is counted once per version).
      if (!watched && !collected && cached?.entry !== undefined) this.#files.delete(name);
    }
    // Files seen before and gone now: their entries are removed.
    const listed = new Set(names);
    for (const name of [...this.#files.keys()]) {
      if (listed.has(name)) continue;
      const parts = parseRegistryFileName(name);
      if (parts === undefined) this.#files.delete(name);
      else this.#apply(parts, this.#missing(name, pass));
    }
    keys.retain(listedKeys, (topic) => table.listenerCount(topic) > 0);
    return found;
  }

  /** The live entry of the file `name`, read now (and deleted if its owner is dead); `undefined` if there is none. */
  async liveEntry(name: string): Promise<RegistryEntry | undefined> {
    const inspection = await this.#inspect(name, this.#newPass(), false);
    if (inspection.state !== 'live') return undefined;
    return this.#files.get(name)?.entry;
  }

  #newPass(): ScanPass {
    return new ScanPass(this.#settings.directory, this.#settings.instance);
  }

  #countInvalid(problem: string): void {
    this.#stats.invalid += 1;
    this.#stats.lastInvalid = problem;
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

  /**
   * Applies what was found of one file to the table if its topic is watched (learning the topic
   * of its key from a live entry); returns whether it is.
   */
  #apply(parts: { topicKey: string; publisherId: string }, inspection: Inspection): boolean {
    const { table, keys } = this.#settings;
    if (inspection.state === 'live') {
      const { topic } = inspection.checked.advertisement;
      keys.learn(parts.topicKey, topic);
      if (!table.isWatched(topic)) return false;
      table.set(inspection.checked);
      return true;
    }
    const topic = keys.topicOf(parts.topicKey);
    if (topic === undefined || !table.isWatched(topic)) return false;
    table.delete(topic, parts.publisherId, inspection.reason);
    return true;
  }

  /** The verdict on a known file whose owner lives, without any I/O; `undefined` otherwise. */
  #judgeAlive(cached: CachedFile, pass: ScanPass): Inspection | undefined {
    const entry = cached.entry;
    if (entry === undefined) return { state: 'removed', reason: 'invalid' };
    return pass.liveness(entry.owner) === 'alive' ? { state: 'live', checked: entry.checked } : undefined;
  }

  /**
   * Reads (or, with `trustCache`, recalls) one entry, judges it, and deletes it when its owner
   * is dead or its lease ran out.
   */
  async #inspect(name: string, pass: ScanPass, trustCache: boolean): Promise<Inspection> {
    const path = join(this.#settings.directory, name);
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
    const liveness = pass.liveness(entry.owner);
    if (liveness === 'alive') return { state: 'live', checked: entry.checked };
    if (liveness === 'dead') {
      if (await unlinkIfUnchanged(path, cached)) this.#stats.ownerExited += 1;
      await pass.removeHeartbeat(entry.instance);
      return { state: 'removed', reason: 'owner-exited' };
    }
    const renewedAt = (await pass.heartbeat(entry.instance)) ?? cached.mtimeMs;
    if (pass.now - renewedAt <= entry.leaseMs) return { state: 'live', checked: entry.checked };
    if (await unlinkIfUnchanged(path, cached)) this.#stats.expired += 1;
    await pass.removeHeartbeat(entry.instance);
    return { state: 'removed', reason: 'expired' };
  }

  #missing(name: string, pass: ScanPass): Inspection {
    const cached = this.#files.get(name);
    this.#files.delete(name);
    const dead = cached?.entry !== undefined && pass.liveness(cached.entry.owner) === 'dead';
    return { state: 'removed', reason: dead ? 'owner-exited' : 'revoked' };
  }
}
