import { EventEmitter } from 'node:events';
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import { isLoopbackAddress, normalizeAddress } from './normalize-address.js';

/** One address of one interface, as `os.networkInterfaces()` reports it. */
export interface InterfaceAddress {
  readonly address: string;
  readonly family?: string | number;
  readonly internal?: boolean;
}

/** A function that lists the host's interfaces, shaped like `os.networkInterfaces()`. */
export type InterfaceSource = () => Readonly<Record<string, readonly InterfaceAddress[] | undefined>>;

/** A function that resolves a host name to its addresses, shaped like `dns.lookup(all)`. */
export type HostLookup = (hostname: string) => Promise<readonly string[]>;

/** Options of {@link LocalAddressTable}. */
export interface LocalAddressTableOptions {
  /** Where the interfaces come from (default `os.networkInterfaces`); inject one to test. */
  readonly interfaces?: InterfaceSource;
  /** Re-read the interfaces this often and emit `change` when the set changed (default: never). */
  readonly refreshIntervalMs?: number;
  /** How host names are resolved by {@link LocalAddressTable.isLocalHost} (default `dns.lookup`). */
  readonly lookup?: HostLookup;
}

/** What the `change` event carries. */
export interface AddressChange {
  /** Normalised addresses that appeared. */
  readonly added: readonly string[];
  /** Normalised addresses that went away. */
  readonly removed: readonly string[];
  /** Every address now in the table. */
  readonly addresses: readonly string[];
}

/** Events of {@link LocalAddressTable}. */
export interface LocalAddressTableEvents {
  /** The set of local addresses changed (seen by `refresh()` or the refresh interval). */
  change: [change: AddressChange];
  /** Reading the interfaces failed during a timed refresh; the table kept its old contents. */
  error: [error: SeamlessError];
}

const defaultLookup: HostLookup = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The paper's "hash table of the host's own IP addresses": answers "is this address one of
 * mine?" in O(1) so that a subscriber can tell a publisher on this host from one elsewhere.
 *
 * Addresses are normalised ({@link normalizeAddress}): zone ids dropped, IPv4-mapped IPv6
 * turned into IPv4, IPv6 compressed. All of 127.0.0.0/8 and `::1` are local whatever the
 * interfaces say. Loopback addresses prove locality only within one network namespace: every
 * namespace (and every host) has its own `127.0.0.1`, so a caller comparing an advertisement
 * from another namespace must leave them out ({@link LocalAddressTable.localAddressesIn} with
 * `loopback: false`).
 *
 * @example
 * ```ts
 * import { LocalAddressTable } from '@seamless/local-addrs';
 *
 * const table = new LocalAddressTable({ refreshIntervalMs: 5000 });
 * table.on('change', ({ added, removed }) => console.log('addresses changed', added, removed));
 * table.isLocal('127.0.0.1');        // true
 * table.isLocal('::ffff:127.0.0.1'); // true
 * table.isLocal('203.0.113.9');      // false, unless this host has that address
 * table.close();
 * ```
 */
export class LocalAddressTable extends EventEmitter<LocalAddressTableEvents> {
  readonly #interfaces: InterfaceSource;
  readonly #lookup: HostLookup;
  #addresses = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LocalAddressTableOptions = {}) {
    super();
    const { interfaces = networkInterfaces, refreshIntervalMs, lookup: hostLookup } = options;
    if (typeof interfaces !== 'function') invalid('interfaces must be a function');
    if (hostLookup !== undefined && typeof hostLookup !== 'function') invalid('lookup must be a function');
    this.#interfaces = interfaces;
    this.#lookup = hostLookup ?? defaultLookup;
    this.#addresses = this.#read();
    if (refreshIntervalMs !== undefined) {
      if (!Number.isFinite(refreshIntervalMs) || refreshIntervalMs < 10) {
        invalid(`refreshIntervalMs must be a number >= 10, got ${String(refreshIntervalMs)}`);
      }
      // unref: a table alone must never keep the process alive.
      this.#timer = realTimers
        .setInterval(() => {
          this.#timedRefresh();
        }, refreshIntervalMs)
        .unref();
    }
  }

  /** Every address in the table, normalised and sorted. */
  get addresses(): readonly string[] {
    return [...this.#addresses].sort();
  }

  /**
   * Whether `address` belongs to this host: it is on one of the interfaces, or it is a
   * loopback address. Text that is not an IP address is not local (`false`).
   *
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` when `address` is not a string.
   */
  isLocal(address: string): boolean {
    if (typeof address !== 'string') invalid(`address must be a string, got ${typeof address}`);
    // The common case, an already normalised address, costs one hash lookup.
    if (this.#addresses.has(address)) return true;
    const normalized = normalizeAddress(address);
    if (normalized === undefined) return false;
    return this.#addresses.has(normalized) || isLoopbackAddress(normalized);
  }

  /**
   * The members of `addresses` that are local, normalised. With `loopback: false` loopback
   * addresses never count: use that when the other side may be in another network namespace.
   *
   * @example
   * ```ts
   * table.localAddressesIn(advertisement.addresses, { loopback: sameNetNamespace });
   * ```
   */
  localAddressesIn(addresses: readonly string[], options: { readonly loopback?: boolean } = {}): string[] {
    if (!Array.isArray(addresses)) invalid('addresses must be an array of strings');
    const loopback = options.loopback ?? true;
    const found: string[] = [];
    for (const address of addresses) {
      if (typeof address !== 'string') continue;
      const normalized = normalizeAddress(address);
      if (normalized === undefined) continue;
      if (isLoopbackAddress(normalized)) {
        if (loopback) found.push(normalized);
      } else if (this.#addresses.has(normalized)) {
        found.push(normalized);
      }
    }
    return found;
  }

  /** The table's addresses without loopback ones: what a publisher advertises to other hosts. */
  nonLoopbackAddresses(): string[] {
    return this.addresses.filter((address) => !isLoopbackAddress(address));
  }

  /**
   * Whether a host name or IP address names this host: an IP is checked with
   * {@link isLocal}; a name is resolved and is local when any of its addresses is.
   *
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` for an empty or non-string name,
   *   `ERR_ADDRESS_INVALID` when the name cannot be resolved (the DNS error is the cause).
   */
  async isLocalHost(nameOrAddress: string): Promise<boolean> {
    if (typeof nameOrAddress !== 'string' || nameOrAddress.trim() === '') {
      invalid('host must be a non-empty string');
    }
    if (normalizeAddress(nameOrAddress) !== undefined) return this.isLocal(nameOrAddress);
    let resolved: readonly string[];
    try {
      resolved = await this.#lookup(nameOrAddress);
    } catch (error) {
      throw new SeamlessError(
        ErrorCode.AddressInvalid,
        `cannot resolve host name ${JSON.stringify(nameOrAddress)}: ${(error as Error).message}`,
        { cause: error, details: { host: nameOrAddress } },
      );
    }
    return resolved.some((address) => this.isLocal(address));
  }

  /**
   * Reads the interfaces again. Emits `change` and returns it when the set of addresses
   * changed; returns `undefined` otherwise.
   *
   * @throws SeamlessError `ERR_NOT_SUPPORTED` when the interfaces cannot be read.
   */
  refresh(): AddressChange | undefined {
    const next = this.#read();
    const added = [...next].filter((address) => !this.#addresses.has(address)).sort();
    const removed = [...this.#addresses].filter((address) => !next.has(address)).sort();
    if (added.length === 0 && removed.length === 0) return undefined;
    this.#addresses = next;
    const change: AddressChange = { added, removed, addresses: this.addresses };
    this.emit('change', change);
    return change;
  }

  /** Stops the refresh interval. The table stays usable. Idempotent. */
  close(): void {
    if (this.#timer !== undefined) realTimers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Same as {@link close}, for `using table = new LocalAddressTable(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #timedRefresh(): void {
    try {
      this.refresh();
    } catch (error) {
      // Only report when someone listens: an unhandled 'error' event would kill the process.
      if (this.listenerCount('error') > 0) this.emit('error', error as SeamlessError);
    }
  }

  #read(): Set<string> {
    let interfaces: ReturnType<InterfaceSource>;
    try {
      interfaces = this.#interfaces();
    } catch (error) {
      throw new SeamlessError(ErrorCode.NotSupported, `cannot list network interfaces: ${String(error)}`, {
        cause: error,
      });
    }
    const addresses = new Set<string>();
    for (const entries of Object.values(interfaces)) {
      for (const entry of entries ?? []) {
        const normalized = typeof entry.address === 'string' ? normalizeAddress(entry.address) : undefined;
        if (normalized !== undefined) addresses.add(normalized);
      }
    }
    return addresses;
  }
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}
