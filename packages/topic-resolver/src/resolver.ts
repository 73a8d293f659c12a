import type { Advertisement } from '@seamless/transport';

/**
 * A published advertisement, kept alive (renewed) by the resolver that issued it until
 * {@link Lease.revoke} is called or the resolver is closed.
 *
 * @example
 * ```ts
 * const lease = await resolver.advertise(advertisement);
 * // ... the publisher lives ...
 * await lease.revoke(); // withdraw it; calling it again does nothing
 * ```
 */
export interface Lease {
  /** The advertisement as validated and stored (a frozen copy of what was passed in). */
  readonly advertisement: Advertisement;
  /** Withdraws the advertisement from everyone who can see it. Idempotent; never rejects. */
  revoke(): Promise<void>;
}

/**
 * A change in the set of advertisements of a watched topic, as {@link Resolver.watch} reports
 * it. The advertisement is always concrete: a pattern's watch learns from its `topic` which
 * topic changed.
 *
 * `reason` of a removal is one of:
 * - `'revoked'`: the owner withdrew it (`lease.revoke()`, the owner closed its resolver, a
 *   goodbye datagram, its registry file was deleted);
 * - `'expired'`: it was not renewed within its lease;
 * - `'owner-exited'`: the owning process is gone (seen by the host registry's liveness check);
 * - `'replaced'`: the same publisher re-advertised with different content; an `'added'` event
 *   with the new content follows immediately;
 * - `'invalid'`: its registry file was overwritten with something that is not a valid entry.
 *
 * Other resolvers may use other reasons, so treat unknown ones like `'revoked'`.
 *
 * @example
 * ```ts
 * for await (const event of resolver.watch('md.AAPL')) {
 *   if (event.type === 'added') connect(event.advertisement);
 *   else disconnect(event.advertisement.publisherId, event.reason);
 * }
 * ```
 */
export type ResolverEvent =
  | { readonly type: 'added'; readonly advertisement: Advertisement }
  | { readonly type: 'removed'; readonly advertisement: Advertisement; readonly reason: string };

/**
 * Maps topic names to the advertisements of their publishers: the paper's "topic resolution".
 *
 * Implementations: {@link StaticResolver} (a fixed table), {@link HostResolver} (processes of
 * one user on one host), {@link MulticastResolver} (a LAN), and {@link composeResolvers} to use
 * several at once.
 *
 * Topics and patterns: `resolve()` and `watch()` take a concrete topic (`md.AAPL`) or a
 * pattern of `@seamless/transport`'s `TopicPattern`. Levels are separated by `.` or `/`, and a
 * separator matches only as written; `*` is exactly one non-empty level and `>`, last only,
 * one or more: `md.*` matches `md.AAPL` but not `md.us.AAPL` nor `md/AAPL`, `md.>` matches
 * `md.AAPL` and `md.us/AAPL` but not `md`. A concrete topic is a pattern that matches only
 * itself. `advertise()` takes concrete topics only.
 *
 * Keeping the process alive: a `watch()` that is being iterated keeps the process alive, the
 * way a socket that is being read does, until the loop is left, its signal aborts or the
 * resolver closes. Nothing else does: leases, renewals, re-scans and idle sockets never hold
 * the process open on their own.
 *
 * @example
 * ```ts
 * const lease = await resolver.advertise(advertisement);
 * const known = await resolver.resolve('md.AAPL');
 * const controller = new AbortController();
 * for await (const event of resolver.watch('md.>', controller.signal)) {
 *   console.log(event.type, event.advertisement.topic); // 'added md.AAPL', …
 * }
 * await lease.revoke();
 * await resolver.close();
 * ```
 */
export interface Resolver {
  /**
   * Publishes `advertisement` and keeps renewing it until the returned lease is revoked or the
   * resolver is closed. Its topic must be concrete: a pattern is not a topic.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` when it fails validation (its topic is a
   *   pattern or otherwise invalid, or its JSON is larger than `MAX_ADVERTISEMENT_BYTES`),
   *   `ERR_CLOSED` after `close()`.
   */
  advertise(advertisement: Advertisement): Promise<Lease>;
  /**
   * The advertisements currently known for `topicOrPattern`, in no particular order: of that
   * topic, or of every topic the pattern matches (each with its concrete topic).
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID` for an invalid topic or pattern, `ERR_CLOSED`
   *   after `close()`.
   */
  resolve(topicOrPattern: string): Promise<Advertisement[]>;
  /**
   * First an `'added'` event for every advertisement already known for `topicOrPattern` (a
   * snapshot: for a pattern, of every known topic it matches), then every change as it
   * happens, including those of matching topics that first appear later. Events carry the
   * concrete advertisement. Each `for await` over the returned iterable starts its own watch
   * with its own snapshot. It ends, without an error, when `signal` aborts or the resolver
   * closes; leaving the loop early (`break`, `return`, an exception) releases everything it
   * held.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID` for an invalid topic or pattern, `ERR_CLOSED`
   *   after `close()` (synchronously).
   */
  watch(topicOrPattern: string, signal?: AbortSignal): AsyncIterable<ResolverEvent>;
  /**
   * Revokes every lease issued by this resolver, ends every watch and releases every timer,
   * socket and file watcher. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Counters every resolver of this package exposes as `resolver.stats`.
 *
 * @example
 * ```ts
 * if (resolver.stats.invalid > 0) console.warn(`ignored ${resolver.stats.invalid} bad entries`);
 * ```
 */
export interface ResolverStats {
  /**
   * Untrusted inputs (datagrams, registry files) that failed validation and were ignored: too
   * large, not JSON, a bad header, or not a valid advertisement.
   */
  readonly invalid: number;
  /** Why the most recent invalid input was refused, for diagnosis; `undefined` if none yet. */
  readonly lastInvalid: string | undefined;
}
