import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';
import { LeaseBook } from './lease-book.js';
import type { Lease, Resolver, ResolverEvent } from './resolver.js';
import { parseStaticTable } from './static-table.js';
import type { StaticTable } from './static-table.js';
import { parseTopicOrPattern } from './topic-or-pattern.js';
import { WatchStreams } from './watch-streams.js';

/** The largest static resolver file `StaticResolver.fromFile` reads: 16 MiB. */
const maxFileBytes = 16 * 1024 * 1024;

/**
 * A resolver with a fixed table, for deployments where every publisher's address is known in
 * advance (no discovery traffic at all). Build it from an object or a JSON file of the same
 * shape ({@link StaticTable}): topic name -> advertisements or TCP endpoints.
 *
 * `advertise()` adds the advertisement to this resolver's memory only: it is visible to
 * `resolve()` and `watch()` of this same object, in this process, until the lease is revoked;
 * no other process learns of it. Nothing keeps the process alive except a `watch()` being
 * iterated.
 *
 * @example
 * ```ts
 * import { StaticResolver } from '@seamless/topic-resolver';
 *
 * const resolver = new StaticResolver({ 'md.AAPL': ['10.0.0.5:40123'] });
 * const [publisher] = await resolver.resolve('md.AAPL');
 * console.log(publisher?.addresses, publisher?.endpoints['tcp']); // ['10.0.0.5'] { port: 40123, tls: false }
 * await resolver.close();
 * ```
 */
export class StaticResolver implements Resolver {
  readonly #table = new AdvertisementTable();
  readonly #configured = new Set<string>();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  #closed = false;

  /**
   * @param table topic name -> advertisements or endpoints (see {@link StaticTable}).
   * @throws SeamlessError `ERR_CONFIG_INVALID` naming the topic, the entry and the problem.
   */
  constructor(table: StaticTable = {}) {
    this.#load(parseStaticTable(table, 'invalid static resolver table'));
  }

  /**
   * Reads a JSON file holding a {@link StaticTable}.
   *
   * @throws SeamlessError `ERR_CONFIG_INVALID` when the file cannot be read, is not JSON or
   *   holds an invalid table; the message names the file and the problem.
   *
   * @example
   * ```ts
   * const resolver = await StaticResolver.fromFile('/etc/seamless/topics.json');
   * ```
   */
  static async fromFile(path: string): Promise<StaticResolver> {
    const origin = `invalid static resolver file ${path}`;
    let text: string;
    try {
      const { size } = await stat(path);
      if (size > maxFileBytes) {
        throw new SeamlessError(ErrorCode.ConfigInvalid, `${origin}: it is ${size} bytes, the limit is ${maxFileBytes}`, {
          details: { path },
        });
      }
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (SeamlessError.isInstance(error)) throw error;
      throw new SeamlessError(ErrorCode.ConfigInvalid, `${origin}: cannot read it: ${(error as Error).message}`, {
        cause: error,
        details: { path },
      });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SeamlessError(ErrorCode.ConfigInvalid, `${origin}: not valid JSON: ${(error as Error).message}`, {
        cause: error,
        details: { path },
      });
    }
    const resolver = new StaticResolver();
    resolver.#load(parseStaticTable(value, origin));
    return resolver;
  }

  /**
   * Keeps `advertisement` in this resolver's memory until the lease is revoked (see the class
   * description: other processes never see it). Re-advertising a publisher id replaces it.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID`, `ERR_INVALID_ARGUMENT` when the
   *   publisher id belongs to an entry of the static table, `ERR_CLOSED`.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every throw becomes a rejection
  async advertise(advertisement: Advertisement): Promise<Lease> {
    this.#throwIfClosed('advertise');
    const checked = checkAdvertisement(advertisement);
    const { topic, publisherId } = checked.advertisement;
    if (this.#configured.has(`${topic}\u0000${publisherId}`)) {
      throw new SeamlessError(
        ErrorCode.InvalidArgument,
        `publisher ${JSON.stringify(publisherId)} of topic ${JSON.stringify(topic)} is part of the static table and cannot be advertised again`,
      );
    }
    const record = this.#leases.issue(checked, () => {
      this.#table.delete(topic, publisherId, 'revoked');
      return Promise.resolve();
    });
    this.#table.set(checked);
    return record.lease;
  }

  /** The advertisements of the topic, or of every topic the pattern matches (see {@link Resolver.resolve}). */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every throw becomes a rejection
  async resolve(topicOrPattern: string): Promise<Advertisement[]> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('resolve');
    return this.#table.matching(pattern);
  }

  /**
   * Watches the topic, or every topic the pattern matches (see {@link Resolver.watch}); the
   * table answers a pattern by its index, so a pattern costs no more than its matches.
   */
  watch(topicOrPattern: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('watch');
    return this.#watches.ofTable(this.#table, pattern, signal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Watches end first: their consumers asked for nothing more, not for a removal per lease.
    this.#watches.endAll();
    await Promise.all(this.#leases.records().map((record) => record.lease.revoke()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #load(entries: readonly ReturnType<typeof checkAdvertisement>[]): void {
    for (const entry of entries) {
      this.#configured.add(`${entry.advertisement.topic}\u0000${entry.advertisement.publisherId}`);
      this.#table.set(entry);
    }
  }

  #throwIfClosed(operation: string): void {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, `cannot ${operation}: the static resolver is closed`);
  }
}
