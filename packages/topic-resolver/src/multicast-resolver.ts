import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, SeamlessError, validateTopic } from '@seamless/transport';
import type { Advertisement } from '@seamless/transport';
import { AdvertisementTable } from './advertisement-table.js';
import { checkAdvertisement } from './checked-advertisement.js';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import { integerOption, invalidOption } from './check-option.js';
import { MIN_ANNOUNCED_LEASE_MS, decodeDatagram, encodeDatagram } from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';
import { LeaseBook } from './lease-book.js';
import type { LeaseRecord } from './lease-book.js';
import type { Lease, Resolver, ResolverEvent, ResolverStats } from './resolver.js';
import { processWarningLogger } from './resolver-logger.js';
import type { ResolverLogger } from './resolver-logger.js';
import { WatchStreams } from './watch-streams.js';

/**
 * The default multicast group: in 239.255.0.0/16, the IPv4 local scope (RFC 2365).
 *
 * @example
 * ```ts
 * // A second, separate discovery domain on the same LAN:
 * new MulticastResolver({ group: DEFAULT_MULTICAST_GROUP, port: DEFAULT_MULTICAST_PORT + 1 });
 * ```
 */
export const DEFAULT_MULTICAST_GROUP = '239.255.83.77';
/**
 * The default UDP port of the multicast group; open it (UDP, inbound) in host firewalls.
 *
 * @example
 * ```ts
 * console.log(`allow udp to ${DEFAULT_MULTICAST_GROUP}:${DEFAULT_MULTICAST_PORT}`);
 * ```
 */
export const DEFAULT_MULTICAST_PORT = 21477;

/**
 * Options of {@link MulticastResolver}; every one is optional.
 *
 * @example
 * ```ts
 * const options: MulticastResolverOptions = { interfaces: ['eth0'], announceIntervalMs: 500, leaseMs: 2000 };
 * ```
 */
export interface MulticastResolverOptions {
  /** The IPv4 multicast group (default {@link DEFAULT_MULTICAST_GROUP}). */
  readonly group?: string;
  /** The UDP port (default {@link DEFAULT_MULTICAST_PORT}). Resolvers meet only on the same group and port. */
  readonly port?: number;
  /**
   * The local interfaces to join the group on and send from: IPv4 addresses (`'10.0.0.5'`) or
   * interface names (`'eth0'`, resolved to their first IPv4 address when the resolver is
   * created). Default: one, chosen by the kernel from the route to the group (usually the
   * default route; add `ip route add 224.0.0.0/4 dev eth0` to choose another).
   */
  readonly interfaces?: readonly string[];
  /** The multicast TTL (default 1: the local network only; raise it to cross multicast routers). */
  readonly ttl?: number;
  /** Whether other processes on this host receive our datagrams (default `true`). */
  readonly loopback?: boolean;
  /** How often our advertisements are announced again (default 1000 ms, ±10% jitter). */
  readonly announceIntervalMs?: number;
  /**
   * The lease our announcements carry (default 3500 ms): a receiver removes an advertisement
   * not announced again within it, so a killed publisher disappears after at most this long.
   * Must exceed `announceIntervalMs`; the default survives two lost announcements in a row.
   */
  readonly leaseMs?: number;
  /**
   * How long the first `resolve()` after creation waits for answers to the start-up query
   * (default 150 ms). Later calls answer from the cache at once.
   */
  readonly settleMs?: number;
  /**
   * The most advertisements kept at once (default 10000); more from the network are ignored,
   * counted in `stats.dropped` and warned about once.
   */
  readonly maxAdvertisements?: number;
  /** Receives the warning given when multicast does not work here, once (default: process warnings). */
  readonly logger?: ResolverLogger;
}

/**
 * Counters of a {@link MulticastResolver}.
 *
 * @example
 * ```ts
 * const { available, received, invalid, expired } = resolver.stats;
 * ```
 */
export interface MulticastResolverStats extends ResolverStats {
  /** Whether joining and sending on the group worked (false after the warning). */
  readonly available: boolean;
  /** Datagrams received from others (valid or not; our own, looped back, are not counted). */
  readonly received: number;
  /** Datagrams handed to the kernel. */
  readonly sent: number;
  /** Sends that failed (no route, interface down...). */
  readonly sendErrors: number;
  /** Advertisements removed because their lease ran out. */
  readonly expired: number;
  /** Advertisements ignored because `maxAdvertisements` was reached. */
  readonly dropped: number;
}

interface RemoteEntry {
  readonly sender: string;
  readonly sequence: number;
  readonly expiresAt: number;
}

interface Tombstone {
  readonly sender: string;
  readonly sequence: number;
  readonly until: number;
}

const owner = 'MulticastResolver';
/** When the start-up queries and a new advertisement's first announcements go out, in ms. */
const burstDelaysMs = [0, 100, 300];
/** Replies to a query wait a random 0..this ms, so that many responders do not answer at once. */
const replySpreadMs = 20;

/**
 * Zero-configuration discovery across a LAN, the way 29West, eCAL and DDS (SPDP) do it:
 * advertisements are announced on a UDP multicast group periodically, each with a lease; a
 * receiver forgets an advertisement not announced again within its lease; `revoke()` sends a
 * goodbye so that watchers learn at once. At start-up the resolver sends a burst of queries
 * and every peer answers with its advertisements, so a new subscriber finds existing
 * publishers within a few milliseconds on a LAN.
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
 * const lease = await resolver.advertise(advertisement); // announced every second
 * for await (const event of resolver.watch('md.AAPL')) console.log(event.type, event.advertisement.publisherId);
 * ```
 */
export class MulticastResolver implements Resolver {
  /** The group and port in use. */
  readonly group: string;
  readonly port: number;
  readonly #interfaces: readonly string[];
  readonly #ttl: number;
  readonly #loopback: boolean;
  readonly #announceIntervalMs: number;
  readonly #leaseMs: number;
  readonly #settleMs: number;
  readonly #maxAdvertisements: number;
  readonly #logger: ResolverLogger;
  readonly #instance = randomBytes(8).toString('hex');
  readonly #table = new AdvertisementTable();
  readonly #remote = new Map<string, RemoteEntry>();
  readonly #tombstones = new Map<string, Tombstone>();
  readonly #leases = new LeaseBook();
  readonly #watches = new WatchStreams();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pendingReplies = new Set<LeaseRecord>();
  readonly #stats = {
    invalid: 0,
    lastInvalid: undefined as string | undefined,
    available: true,
    received: 0,
    sent: 0,
    sendErrors: 0,
    expired: 0,
    dropped: 0,
  };
  readonly #ready: Promise<void>;
  #receiver: Socket | undefined;
  #senders: Socket[] = [];
  #sequence = 0;
  #settledAt = Number.POSITIVE_INFINITY;
  #announceTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #replyTimer: NodeJS.Timeout | undefined;
  #warned = false;
  #closed = false;

  /**
   * Starts listening at once (asynchronously; never fails: problems become one warning).
   *
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` for bad options, such as a group outside
   *   224.0.0.0/4 or an interface name this host does not have.
   */
  constructor(options: MulticastResolverOptions = {}) {
    const group = options.group ?? DEFAULT_MULTICAST_GROUP;
    if (!isIPv4(group) || Number(group.split('.')[0]) < 224 || Number(group.split('.')[0]) > 239) {
      invalidOption(owner, 'group', `must be an IPv4 multicast address (224.0.0.0/4), got ${JSON.stringify(group)}`, group);
    }
    this.group = group;
    this.port = integerOption(owner, 'port', options.port, DEFAULT_MULTICAST_PORT, 1, 65535);
    this.#interfaces = resolveInterfaces(options.interfaces);
    this.#ttl = integerOption(owner, 'ttl', options.ttl, 1, 0, 255);
    if (options.loopback !== undefined && typeof options.loopback !== 'boolean') {
      invalidOption(owner, 'loopback', 'must be a boolean', options.loopback);
    }
    this.#loopback = options.loopback ?? true;
    this.#announceIntervalMs = integerOption(owner, 'announceIntervalMs', options.announceIntervalMs, 1000, 10, 3_600_000);
    this.#leaseMs = integerOption(
      owner,
      'leaseMs',
      options.leaseMs,
      Math.max(3500, this.#announceIntervalMs * 3 + 500),
      Math.max(MIN_ANNOUNCED_LEASE_MS, this.#announceIntervalMs + 1),
      86_400_000,
    );
    this.#settleMs = integerOption(owner, 'settleMs', options.settleMs, 150, 0, 60_000);
    this.#maxAdvertisements = integerOption(owner, 'maxAdvertisements', options.maxAdvertisements, 10_000, 1, 10_000_000);
    this.#logger = options.logger ?? processWarningLogger;
    this.#ready = this.#open();
  }

  /** Counters; see {@link MulticastResolverStats}. */
  get stats(): MulticastResolverStats {
    return { ...this.#stats };
  }

  /**
   * Announces `advertisement` now, twice more within 300 ms, then every `announceIntervalMs`
   * until the lease is revoked (which sends a goodbye) or the resolver closes. It is also
   * visible at once to this resolver's own `resolve()` and `watch()`.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID`, `ERR_CLOSED`.
   */
  async advertise(advertisement: Advertisement): Promise<Lease> {
    this.#throwIfClosed('advertise');
    const checked = checkAdvertisement(advertisement);
    await this.#ready;
    this.#throwIfClosed('advertise');
    const record = this.#leases.issue(checked, (issued) => this.#withdraw(issued));
    const key = keyOf(checked.advertisement);
    this.#remote.delete(key);
    this.#tombstones.delete(key);
    this.#table.set(checked);
    for (const delayMs of burstDelaysMs) {
      this.#later(delayMs, () => {
        if (this.#leases.isCurrent(record)) void this.#announce(record);
      });
    }
    return record.lease;
  }

  /**
   * The advertisements known for `topic`: this resolver's own and those announced by peers
   * within their lease. The first call after creation waits up to `settleMs` for the answers
   * to the start-up query.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_CLOSED`.
   */
  async resolve(topic: string): Promise<Advertisement[]> {
    validateTopic(topic);
    this.#throwIfClosed('resolve');
    await this.#ready;
    this.#throwIfClosed('resolve');
    const wait = this.#settledAt - Date.now();
    if (wait > 0) await delay(wait);
    this.#throwIfClosed('resolve');
    return this.#table.list(topic);
  }

  watch(topic: string, signal?: AbortSignal): AsyncIterable<ResolverEvent> {
    validateTopic(topic);
    this.#throwIfClosed('watch');
    return this.#watches.iterable((sink) => {
      return this.#table.feed(topic, (event) => {
        sink.push(event);
      });
    }, signal);
  }

  /** Ends every watch, sends a goodbye for every lease, and closes sockets and timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watches.endAll();
    await this.#ready;
    await Promise.all(this.#leases.records().map((record) => record.lease.revoke()));
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    clearTimeout(this.#announceTimer);
    clearInterval(this.#sweepTimer);
    clearTimeout(this.#replyTimer);
    const sockets = [...this.#senders, ...(this.#receiver === undefined ? [] : [this.#receiver])];
    this.#senders = [];
    this.#receiver = undefined;
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => {
                resolve();
              });
            } catch {
              resolve(); // never bound, or already closed
            }
          }),
      ),
    );
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
    const where = this.#interfaces.length === 0 ? 'the interface the kernel chose' : `interface(s) ${this.#interfaces.join(', ')}`;
    this.#logger.warn(
      `multicast discovery on ${this.group}:${this.port} is unavailable (${what} failed: ${(error as Error).message}): ` +
        `this host has no usable multicast route on ${where}. Advertisements are still resolved within this process; ` +
        `to discover peers on the LAN add a route (ip route add 224.0.0.0/4 dev <interface>) or pass the 'interfaces' option.`,
    );
  }

  /** Binds, joins and creates the senders; never rejects. */
  async #open(): Promise<void> {
    const receiver = createSocket({ type: 'udp4', reuseAddr: true });
    this.#receiver = receiver;
    receiver.on('message', (bytes) => {
      this.#received(bytes);
    });
    receiver.on('error', (error) => {
      this.#unavailable('receiving', error);
    });
    // Bound to the group itself (where the platform allows it), the socket receives only this
    // group's datagrams, not those of other groups that share the port.
    const address = process.platform === 'win32' ? '0.0.0.0' : this.group;
    try {
      await new Promise<void>((resolve, reject) => {
        receiver.once('error', reject);
        receiver.bind({ port: this.port, address, exclusive: false }, () => {
          receiver.off('error', reject);
          resolve();
        });
      });
      receiver.unref();
    } catch (error) {
      this.#unavailable(`binding ${address}:${this.port}`, error);
    }
    // Each interface on its own: one that cannot join must not keep the others out.
    for (const local of this.#interfaces.length === 0 ? [undefined] : this.#interfaces) {
      try {
        if (local === undefined) receiver.addMembership(this.group);
        else receiver.addMembership(this.group, local);
      } catch (error) {
        this.#unavailable(`joining the group${local === undefined ? '' : ` on ${local}`}`, error);
      }
    }
    for (const local of this.#interfaces.length === 0 ? [undefined] : this.#interfaces) {
      const sender = createSocket({ type: 'udp4' });
      sender.on('error', (error) => {
        this.#unavailable('sending', error);
      });
      try {
        await new Promise<void>((resolve, reject) => {
          sender.once('error', reject);
          sender.bind({ port: 0, ...(local === undefined ? {} : { address: local }) }, () => {
            sender.off('error', reject);
            resolve();
          });
        });
        sender.unref();
        if (local !== undefined) sender.setMulticastInterface(local);
        sender.setMulticastTTL(this.#ttl);
        sender.setMulticastLoopback(this.#loopback);
        this.#senders.push(sender);
      } catch (error) {
        sender.close();
        this.#unavailable(`sending from ${local ?? 'the default interface'}`, error);
      }
    }
    this.#settledAt = Date.now() + this.#settleMs;
    if (this.#closed) return;
    for (const delayMs of burstDelaysMs) {
      this.#later(delayMs, () => {
        void this.#send({ kind: 'query', sender: this.#instance, sequence: this.#nextSequence(), topic: undefined });
      });
    }
    this.#scheduleAnnouncements();
    this.#sweepTimer = setInterval(() => {
      this.#sweep();
    }, Math.min(250, Math.floor(this.#leaseMs / 4))).unref();
  }

  #later(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) task();
    }, delayMs).unref();
    this.#timers.add(timer);
  }

  #nextSequence(): number {
    this.#sequence = (this.#sequence + 1) >>> 0;
    return this.#sequence;
  }

  #send(datagram: Datagram): Promise<void> {
    const bytes = encodeDatagram(datagram);
    return Promise.all(
      this.#senders.map(
        (sender) =>
          new Promise<void>((resolve) => {
            try {
              sender.send(bytes, this.port, this.group, (error) => {
                if (error === null) {
                  this.#stats.sent += 1;
                } else {
                  this.#stats.sendErrors += 1;
                  this.#unavailable('sending', error);
                }
                resolve();
              });
            } catch {
              // A socket closed under us (close() racing a timer): nothing to report.
              this.#stats.sendErrors += 1;
              resolve();
            }
          }),
      ),
    ).then(() => undefined);
  }

  #announce(record: LeaseRecord): Promise<void> {
    return this.#send({
      kind: 'announce',
      sender: this.#instance,
      sequence: this.#nextSequence(),
      leaseMs: this.#leaseMs,
      checked: record.checked,
    });
  }

  #scheduleAnnouncements(): void {
    const jitter = 0.9 + Math.random() * 0.2;
    this.#announceTimer = setTimeout(() => {
      if (this.#closed) return;
      for (const record of this.#leases.records()) void this.#announce(record);
      this.#scheduleAnnouncements();
    }, Math.round(this.#announceIntervalMs * jitter)).unref();
  }

  async #withdraw(record: LeaseRecord): Promise<void> {
    const { topic, publisherId } = record.checked.advertisement;
    if (this.#leases.current(record.checked.advertisement) !== undefined) return;
    this.#pendingReplies.delete(record);
    this.#table.delete(topic, publisherId, 'revoked');
    await this.#send({ kind: 'goodbye', sender: this.#instance, sequence: this.#nextSequence(), topic, publisherId });
  }

  // --- Receiving --------------------------------------------------------------------------------

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
    switch (datagram.kind) {
      case 'announce':
        this.#announced(datagram.sender, datagram.sequence, datagram.leaseMs, datagram.checked);
        break;
      case 'goodbye':
        this.#goodbye(datagram.sender, datagram.sequence, datagram.topic, datagram.publisherId);
        break;
      case 'query':
        this.#queried(datagram.topic);
        break;
    }
  }

  #announced(sender: string, sequence: number, leaseMs: number, checked: CheckedAdvertisement): void {
    const key = keyOf(checked.advertisement);
    // Our own publisher id announced by someone else: ours is authoritative here.
    if (this.#leases.current(checked.advertisement) !== undefined) return;
    const tombstone = this.#tombstones.get(key);
    if (tombstone?.sender === sender && !isNewer(sequence, tombstone.sequence)) return;
    const existing = this.#remote.get(key);
    if (existing?.sender === sender && !isNewer(sequence, existing.sequence)) return;
    if (existing === undefined && this.#table.size >= this.#maxAdvertisements) {
      this.#stats.dropped += 1;
      if (this.#stats.dropped === 1) {
        this.#logger.warn(
          `multicast resolver on ${this.group}:${this.port} holds maxAdvertisements (${this.#maxAdvertisements}) advertisements; ignoring new ones until some expire (see stats.dropped)`,
        );
      }
      return;
    }
    this.#tombstones.delete(key);
    this.#remote.set(key, { sender, sequence, expiresAt: Date.now() + leaseMs });
    this.#table.set(checked);
  }

  #goodbye(sender: string, sequence: number, topic: string, publisherId: string): void {
    const key = `${topic}\u0000${publisherId}`;
    const existing = this.#remote.get(key);
    // Only the instance that announced it may withdraw it, and only with a newer datagram.
    if (existing !== undefined && (existing.sender !== sender || !isNewer(sequence, existing.sequence))) return;
    if (existing !== undefined) {
      this.#remote.delete(key);
      this.#table.delete(topic, publisherId, 'revoked');
    }
    if (this.#tombstones.size < this.#maxAdvertisements) {
      this.#tombstones.set(key, { sender, sequence, until: Date.now() + this.#leaseMs });
    }
  }

  #queried(topic: string | undefined): void {
    for (const record of this.#leases.records()) {
      if (topic === undefined || record.checked.advertisement.topic === topic) this.#pendingReplies.add(record);
    }
    if (this.#pendingReplies.size === 0 || this.#replyTimer !== undefined) return;
    this.#replyTimer = setTimeout(() => {
      this.#replyTimer = undefined;
      const records = [...this.#pendingReplies];
      this.#pendingReplies.clear();
      for (const record of records) if (this.#leases.isCurrent(record)) void this.#announce(record);
    }, Math.floor(Math.random() * replySpreadMs)).unref();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#remote) {
      if (entry.expiresAt > now) continue;
      this.#remote.delete(key);
      const separator = key.indexOf('\u0000');
      if (this.#table.delete(key.slice(0, separator), key.slice(separator + 1), 'expired')) this.#stats.expired += 1;
    }
    for (const [key, tombstone] of this.#tombstones) if (tombstone.until <= now) this.#tombstones.delete(key);
  }
}

function keyOf(advertisement: Advertisement): string {
  return `${advertisement.topic}\u0000${advertisement.publisherId}`;
}

/** Serial-number comparison (RFC 1982) of two uint32 sequence numbers. */
function isNewer(candidate: number, reference: number): boolean {
  const difference = (candidate - reference) >>> 0;
  return difference !== 0 && difference < 0x80000000;
}

/** Turns interface names into their first IPv4 address; checks addresses for shape. */
function resolveInterfaces(interfaces: readonly string[] | undefined): string[] {
  if (interfaces === undefined) return [];
  if (!Array.isArray(interfaces) || interfaces.length === 0) {
    invalidOption(owner, 'interfaces', 'must be a non-empty array of IPv4 addresses or interface names', interfaces);
  }
  const available = networkInterfaces();
  const addresses = interfaces.map((entry: unknown) => {
    if (typeof entry !== 'string' || entry === '') {
      return invalidOption(owner, 'interfaces', 'must hold IPv4 addresses or interface names', entry);
    }
    if (isIPv4(entry)) return entry;
    const found = available[entry]?.find((address) => address.family === 'IPv4');
    if (found === undefined) {
      const names = Object.keys(available).join(', ');
      return invalidOption(owner, 'interfaces', `names ${JSON.stringify(entry)}, which is neither an IPv4 address nor an interface with an IPv4 address here (interfaces: ${names})`, entry);
    }
    return found.address;
  });
  return [...new Set(addresses)];
}
