// The multicast resolver: the public face of LAN discovery (advertise, resolve, watch, close),
// the start-up queries and the timers, and the dispatch of each datagram received to the
// remote view (what peers announced), the outbox (what we send) or the query replies.
import { randomBytes } from 'node:crypto';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { Advertisement, TopicPattern } from '@seamless/transport';
import { AdvertisementTable } from '../advertisement-table.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import { LeaseBook } from '../lease-book.js';
import type { LeaseRecord } from '../lease-book.js';
import type { Lease, Resolver, ResolverEvent } from '../resolver.js';
import { parseTopicOrPattern } from '../topic-or-pattern.js';
import { WatchStreams } from '../watch-streams.js';
import { decodeDatagram } from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';
import { MulticastOutbox } from './multicast-outbox.js';
import { SEND_BURST_BYTES, multicastSettings } from './multicast-resolver-options.js';
import type { MulticastResolverOptions, MulticastResolverStats, MulticastSettings } from './multicast-resolver-options.js';
import { MulticastSockets } from './multicast-sockets.js';
import { droppedWarning, unavailableWarning } from './multicast-warnings.js';
import { QueryReplies } from './query-replies.js';
import { RemoteView } from './remote-view.js';

/** When the start-up queries go out, in ms; the later ones only while no peer has been heard. */
const queryDelaysMs = [0, 100, 300];

/**
 * Zero-configuration discovery across a LAN, the way 29West, eCAL and DDS (SPDP and SEDP) do
 * it, built to hold ten thousand advertisements: each advertisement is announced once, in
 * batches, paced to `maxSendBytesPerSecond`; then one heartbeat per resolver and interval
 * renews all of them and carries their count and digest, so a receiver that missed a datagram
 * notices and asks that sender for everything again. A receiver forgets everything of a
 * resolver it hears nothing from within its lease; `revoke()` sends a goodbye so that watchers
 * learn at once. At start-up the resolver asks every peer for everything, so a new subscriber
 * finds existing publishers within a few milliseconds on a LAN.
 *
 * Patterns: every resolver caches all it hears, so `resolve()` and `watch()` of a pattern
 * answer from the cache, filtered by the pattern. A pattern watch also sends one query
 * carrying the pattern (at most `MAX_QUERY_DATAGRAM_BYTES`, 287 bytes), which each peer
 * answers with announcements of its matching advertisements only, so that the watch has its
 * matches within one reply spread (0–20 ms) even where the start-up answers were partly lost.
 * A pattern watch therefore causes one query and replies for matching advertisements only,
 * however many other topics the LAN has; the rest of what it receives reaches every member of
 * the group alike, watching or not (see the README's "Traffic of a pattern watch").
 *
 * Every datagram is validated (size, header, JSON, `parseAdvertisement`) before use; garbage
 * is ignored and counted in `stats.invalid`. When this host cannot use multicast (no route to
 * the group, joining fails) the resolver logs one warning and goes on: its own advertisements
 * still resolve within this process, and discovery starts working if a route appears later.
 *
 * Sockets and timers never keep the process alive; a `watch()` being iterated does.
 *
 * @example
 * ```ts no-run
 * import { MulticastResolver } from '@seamless/topic-resolver';
 *
 * const resolver = new MulticastResolver({ interfaces: ['eth0'] });
 * const lease = await resolver.advertise(advertisement); // announced now, renewed by the heartbeat
 * for await (const event of resolver.watch('md.AAPL')) console.log(event.type, event.advertisement.publisherId);
 * ```
 */
export class MulticastResolver implements Resolver {
  /** The group and port in use. */
  readonly group: string;
  readonly port: number;
  readonly #settings: MulticastSettings;
  readonly #instance = randomBytes(8).toString('hex');
  readonly #table = new AdvertisementTable();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #stats = {
    invalid: 0,
    lastInvalid: undefined as string | undefined,
    available: true,
    received: 0,
    sent: 0,
    sendErrors: 0,
    expired: 0,
    dropped: 0,
    repairs: 0,
  };
  readonly #sockets: MulticastSockets;
  readonly #outbox: MulticastOutbox;
  readonly #remote: RemoteView;
  readonly #replies: QueryReplies;
  readonly #ready: Promise<void>;
  #settledAt = Number.POSITIVE_INFINITY;
  /** Whether the start-up query (of everything) went out. */
  #askedEveryone = false;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #warned = false;
  #closed = false;

  /**
   * Starts listening at once (asynchronously; never fails: problems become one warning).
   *
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` for bad options, such as a group outside
   *   224.0.0.0/4 or an interface name this host does not have.
   */
  constructor(options: MulticastResolverOptions = {}) {
    const settings = multicastSettings(options);
    this.#settings = settings;
    this.group = settings.group;
    this.port = settings.port;
    this.#sockets = new MulticastSockets(settings, {
      message: (bytes) => {
        this.#received(bytes);
      },
      unavailable: (what, error) => {
        this.#unavailable(what, error);
      },
      sent: () => {
        this.#stats.sent += 1;
      },
      sendError: () => {
        this.#stats.sendErrors += 1;
      },
    });
    this.#outbox = new MulticastOutbox({
      sender: this.#instance,
      leaseMs: settings.leaseMs,
      bytesPerSecond: settings.maxSendBytesPerSecond,
      burstBytes: SEND_BURST_BYTES,
      send: (bytes) => void this.#sockets.send(bytes),
      records: () => this.#leases.records(),
      isCurrent: (record) => this.#leases.isCurrent(record),
    });
    this.#remote = new RemoteView({
      table: this.#table,
      isOwn: (advertisement) => this.#leases.current(advertisement) !== undefined,
      maxAdvertisements: settings.maxAdvertisements,
      tombstoneMs: settings.leaseMs,
      repairBackoffMs: 2 * settings.announceIntervalMs,
      onDropped: () => {
        this.#dropped();
      },
    });
    this.#replies = new QueryReplies({
      instance: this.#instance,
      outbox: this.#outbox,
      records: () => this.#leases.records(),
    });
    this.#ready = this.#open();
  }

  /** Counters; see {@link MulticastResolverStats}. */
  get stats(): MulticastResolverStats {
    return { ...this.#stats, rounds: this.#outbox.rounds };
  }

  /**
   * Announces `advertisement` (at once, batched with others advertised at the same moment and
   * paced), then keeps it alive by the heartbeat until the lease is revoked (which sends a
   * goodbye) or the resolver closes. It is also visible at once to this resolver's own
   * `resolve()` and `watch()`.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID`, `ERR_CLOSED`.
   */
  async advertise(advertisement: Advertisement): Promise<Lease> {
    this.#throwIfClosed('advertise');
    const checked = checkAdvertisement(advertisement);
    await this.#ready;
    this.#throwIfClosed('advertise');
    const record = this.#leases.issue(checked, (issued) => this.#withdraw(issued));
    this.#table.set(checked);
    this.#outbox.announce(record);
    return record.lease;
  }

  /**
   * The advertisements known for the topic, or for every topic the pattern matches: this
   * resolver's own and those announced by peers that are still alive, from the cache (no
   * query). The first call after creation waits up to `settleMs` for the answers to the
   * start-up query.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_CLOSED`.
   */
  async resolve(topicOrPattern: string): Promise<Advertisement[]> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('resolve');
    await this.#ready;
    this.#throwIfClosed('resolve');
    const wait = this.#settledAt - realTimers.dateNow();
    if (wait > 0) await new Promise((resolve) => realTimers.setTimeout(resolve, wait));
    this.#throwIfClosed('resolve');
    return this.#table.matching(pattern);
  }

  /**
   * Watches the topic, or every topic the pattern matches, from the cache; a pattern watch
   * also asks the peers for its matches (see the class description).
   */
  watch(topicOrPattern: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    const pattern = parseTopicOrPattern(topicOrPattern);
    this.#throwIfClosed('watch');
    const started = pattern.isPattern
      ? () => {
          this.#askFor(pattern);
        }
      : undefined;
    return this.#watches.ofTable(this.#table, pattern, signal, started);
  }

  /** Ends every watch, sends one goodbye for all of its leases, and closes sockets and timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.endAll();
    await this.#ready;
    await Promise.all(this.#leases.records().map((record) => record.lease.revoke()));
    for (const timer of this.#timers) realTimers.clearTimeout(timer);
    this.#timers.clear();
    realTimers.clearTimeout(this.#heartbeatTimer);
    realTimers.clearInterval(this.#sweepTimer);
    this.#replies.close();
    const goodbye = this.#outbox.close();
    if (goodbye !== undefined) await this.#sockets.send(goodbye);
    this.#remote.clear();
    await this.#sockets.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #throwIfClosed(operation: string): void {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, `cannot ${operation}: the multicast resolver is closed`);
  }

  #unavailable(what: string, error: unknown): void {
    this.#stats.available = false;
    if (this.#warned) return;
    this.#warned = true;
    this.#settings.logger.warn(unavailableWarning(this.#settings, what, error));
  }

  #dropped(): void {
    this.#stats.dropped += 1;
    if (this.#stats.dropped !== 1) return;
    this.#settings.logger.warn(droppedWarning(this.#settings));
  }

  async #open(): Promise<void> {
    await this.#sockets.open();
    this.#settledAt = realTimers.dateNow() + this.#settings.settleMs;
    if (this.#closed) return;
    for (const [index, delayMs] of queryDelaysMs.entries()) {
      this.#later(delayMs, () => {
        // The repeats are for a lost first query; once any peer answered, heartbeats find the
        // rest. Checked after the event loop's next poll, so that answers already waiting in
        // the socket buffer (behind a busy start-up) count.
        realTimers.setImmediate(() => {
          if (this.#closed || (index !== 0 && this.#stats.received !== 0)) return;
          this.#remote.askedEveryone(realTimers.dateNow());
          this.#askedEveryone = true;
          this.#outbox.query({ everything: true });
        });
      });
    }
    this.#scheduleHeartbeat();
    this.#sweepTimer = realTimers
      .setInterval(
        () => {
          this.#stats.expired += this.#remote.sweep(realTimers.dateNow());
        },
        Math.min(250, Math.floor(this.#settings.leaseMs / 4)),
      )
      .unref();
  }

  /**
   * Sends the query of a pattern watch that just started: every peer answers with what it
   * advertises that matches, and nothing else. Before the start-up query went out there is no
   * need: that one asks for everything. Watches of one pattern started together share a query.
   */
  #askFor(pattern: TopicPattern): void {
    if (this.#closed || !this.#askedEveryone) return;
    this.#outbox.query({ topic: pattern.text });
  }

  #later(delayMs: number, task: () => void): void {
    const timer = realTimers
      .setTimeout(() => {
        this.#timers.delete(timer);
        if (!this.#closed) task();
      }, delayMs)
      .unref();
    this.#timers.add(timer);
  }

  #scheduleHeartbeat(): void {
    const jitter = 0.9 + Math.random() * 0.2;
    this.#heartbeatTimer = realTimers
      .setTimeout(
        () => {
          if (this.#closed) return;
          if (this.#outbox.announcedAny) this.#outbox.heartbeat();
          this.#scheduleHeartbeat();
        },
        Math.round(this.#settings.announceIntervalMs * jitter),
      )
      .unref();
  }

  #withdraw(record: LeaseRecord): Promise<void> {
    const { topic, publisherId } = record.checked.advertisement;
    if (this.#leases.current(record.checked.advertisement) !== undefined) return Promise.resolve();
    this.#table.delete(topic, publisherId, 'revoked');
    // When closing, one goodbye for everything replaces the goodbyes of each.
    if (!this.#closed) this.#outbox.withdraw({ topic, publisherId });
    return Promise.resolve();
  }

  #received(bytes: Buffer): void {
    if (this.#closed) return;
    let datagram: ReturnType<typeof decodeDatagram>;
    try {
      datagram = decodeDatagram(bytes);
    } catch (error) {
      // decodeDatagram does not throw; should it ever, a datagram must not take the process down.
      datagram = { problem: `undecodable datagram (${(error as Error).message})` };
    }
    if ('problem' in datagram) {
      this.#stats.received += 1;
      this.#stats.invalid += 1;
      this.#stats.lastInvalid = datagram.problem;
      return;
    }
    // Our own datagrams come back through multicast loopback.
    if (datagram.sender === this.#instance) return;
    this.#stats.received += 1;
    this.#handle(datagram, realTimers.dateNow());
  }

  #handle(datagram: Datagram, now: number): void {
    switch (datagram.kind) {
      case 'announce':
        this.#remote.announced(datagram.sender, datagram.sequence, datagram.leaseMs, datagram.round, datagram.advertisements, now);
        break;
      case 'goodbye':
        this.#remote.goodbye(datagram.sender, datagram.sequence, datagram.withdrawn, now);
        break;
      case 'heartbeat':
        if (this.#remote.heartbeat(datagram.sender, datagram.sequence, datagram, now)) {
          this.#stats.repairs += 1;
          this.#outbox.query({ sender: datagram.sender });
        }
        break;
      case 'query':
        this.#replies.heard(datagram.scope);
        break;
    }
  }
}
