import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { canonicalJson, checkAdvertisement } from './checked-advertisement.js';
import { keyOf } from './publisher-key.js';
import type { Lease, Resolver, ResolverEvent, ResolverStats } from './resolver.js';
import { parseTopicOrPattern } from './topic-or-pattern.js';
import { WatchStreams } from './watch-streams.js';

/**
 * Several resolvers used as one; see {@link composeResolvers}.
 *
 * @example
 * ```ts
 * const resolver: ComposedResolver = composeResolvers(new HostResolver(), new MulticastResolver());
 * console.log(resolver.resolvers.length, resolver.stats.invalid);
 * ```
 */
export interface ComposedResolver extends Resolver {
  /** The members, in priority order. */
  readonly resolvers: readonly Resolver[];
  /** `invalid` summed over the members that count it; `lastInvalid` of the first that has one. */
  readonly stats: ResolverStats;
}

/** Removal reasons that settle a publisher's fate whichever member reports them first. */
const definitiveReasons = new Set(['revoked', 'owner-exited']);

interface Merged {
  /** What each member currently reports, by member index. */
  readonly sources: Map<number, Advertisement>;
  /** What the composite reported last. */
  current: Advertisement;
}

/**
 * Uses several resolvers as one: `advertise()` advertises on every member (all or none: when
 * one fails, the others' leases are revoked and the error is thrown); `resolve()` and `watch()`
 * of a topic or a pattern go to every member, which answers it its own way, and merge the
 * answers, de-duplicated by topic and publisher id, the first member in the argument list
 * winning when two report different content; `close()` closes every member.
 *
 * A watch reports a publisher `added` when the first member reports it and `removed` when the
 * last member drops it, except that a removal a member knows to be final (`'revoked'`,
 * `'owner-exited'`) is reported at once, so the fastest member decides: a publisher killed on
 * this host disappears as soon as the host registry notices, without waiting for its
 * multicast lease to run out.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` without resolvers or with something that is not one.
 *
 * @example
 * ```ts
 * import { HostResolver, MulticastResolver, composeResolvers } from '@seamless/topic-resolver';
 *
 * // The facade's default: the host registry for this machine, multicast for the LAN.
 * const resolver = composeResolvers(new HostResolver(), new MulticastResolver());
 * ```
 */
export function composeResolvers(...resolvers: Resolver[]): ComposedResolver {
  if (resolvers.length === 0) {
    throw new SeamlessError(ErrorCode.InvalidArgument, 'composeResolvers needs at least one resolver');
  }
  for (const [index, resolver] of resolvers.entries()) {
    const candidate = resolver as Partial<Record<keyof Resolver, unknown>> | null;
    const missing = (['advertise', 'resolve', 'watch', 'close'] as const).filter((method) => typeof candidate?.[method] !== 'function');
    if (missing.length > 0) {
      throw new SeamlessError(
        ErrorCode.InvalidArgument,
        `composeResolvers: argument ${index} is not a resolver (no ${missing.join(', ')} method)`,
      );
    }
  }
  return new CompositeResolver(Object.freeze([...resolvers]));
}

class CompositeResolver implements ComposedResolver {
  readonly resolvers: readonly Resolver[];
  readonly #watches = new WatchStreams();
  #closed = false;

  constructor(resolvers: readonly Resolver[]) {
    this.resolvers = resolvers;
  }

  get stats(): ResolverStats {
    let invalid = 0;
    let lastInvalid: string | undefined;
    for (const resolver of this.resolvers) {
      const stats = (resolver as { stats?: Partial<ResolverStats> }).stats;
      if (typeof stats?.invalid === 'number') invalid += stats.invalid;
      lastInvalid ??= stats?.lastInvalid;
    }
    return { invalid, lastInvalid };
  }

  async advertise(advertisement: Advertisement): Promise<Lease> {
    this.#throwIfClosed('advertise');
    const { advertisement: checked } = checkAdvertisement(advertisement);
    const settled = await Promise.allSettled(this.resolvers.map((resolver) => resolver.advertise(checked)));
    const leases = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(leases.map((lease) => lease.revoke()));
      throw failure.reason;
    }
    let revoked: Promise<void> | undefined;
    return {
      advertisement: checked,
      revoke: () => {
        revoked ??= Promise.all(leases.map((lease) => lease.revoke())).then(() => undefined);
        return revoked;
      },
    };
  }

  async resolve(topicOrPattern: string): Promise<Advertisement[]> {
    parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('resolve');
    const answers = await Promise.all(this.resolvers.map((resolver) => resolver.resolve(topicOrPattern)));
    const merged = new Map<string, Advertisement>();
    for (const answer of answers) {
      for (const advertisement of answer) {
        const key = keyOf(advertisement);
        if (!merged.has(key)) merged.set(key, advertisement);
      }
    }
    return [...merged.values()];
  }

  watch(topicOrPattern: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    // Each member answers a pattern its own way (natively, or by filtering all it knows); the
    // merge below is the same for a topic and a pattern, by topic and publisher id.
    parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('watch');
    return this.#watches.iterable((sink) => {
      // By topic and publisher id: a pattern's watch sees several topics.
      const merged = new Map<string, Merged>();
      const iterators: AsyncIterator<ResolverEvent>[] = [];
      const controller = new AbortController();
      let stopped = false;
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        controller.abort();
        // Members that ignore the signal still release their watch on return().
        for (const iterator of iterators) void iterator.return?.().catch(() => undefined);
      };
      const handle = (index: number, event: ResolverEvent): void => {
        const { advertisement } = event;
        const key = keyOf(advertisement);
        const entry = merged.get(key);
        if (event.type === 'added') {
          if (entry === undefined) {
            merged.set(key, { sources: new Map([[index, advertisement]]), current: advertisement });
            sink.push(event);
            return;
          }
          entry.sources.set(index, advertisement);
          report(entry);
          return;
        }
        if (entry === undefined) return;
        if (event.reason === 'replaced') {
          // The member's matching 'added' follows at once and is compared then.
          entry.sources.delete(index);
          return;
        }
        entry.sources.delete(index);
        if (definitiveReasons.has(event.reason) || entry.sources.size === 0) {
          merged.delete(key);
          sink.push({ type: 'removed', advertisement: entry.current, reason: event.reason });
          return;
        }
        report(entry);
      };
      const report = (entry: Merged): void => {
        const preferred = [...entry.sources.entries()].sort(([a], [b]) => a - b)[0]?.[1];
        if (preferred === undefined || canonicalJson(preferred) === canonicalJson(entry.current)) return;
        sink.push({ type: 'removed', advertisement: entry.current, reason: 'replaced' });
        sink.push({ type: 'added', advertisement: preferred });
        entry.current = preferred;
      };
      const pump = async (index: number, iterator: AsyncIterator<ResolverEvent>): Promise<void> => {
        for (;;) {
          const result = await iterator.next();
          if (stopped) return;
          // A member's watch ends only when that member closes: so does the composite watch.
          if (result.done === true) {
            sink.end();
            return;
          }
          handle(index, result.value);
        }
      };
      for (const [index, resolver] of this.resolvers.entries()) {
        try {
          const iterator = resolver.watch(topicOrPattern, controller.signal)[Symbol.asyncIterator]();
          iterators.push(iterator);
          pump(index, iterator).catch((error: unknown) => {
            if (!stopped) sink.fail(error);
          });
        } catch (error) {
          sink.fail(error);
          break;
        }
      }
      return stop;
    }, signal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.endAll();
    const settled = await Promise.allSettled(this.resolvers.map((resolver) => resolver.close()));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #throwIfClosed(operation: string): void {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, `cannot ${operation}: the composed resolver is closed`);
  }
}
