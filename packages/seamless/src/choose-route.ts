import type { Advertisement, HostIdentity, TransportKind } from '@seamless/transport';
import { canShareMemory, sameNetworkNamespace } from '@seamless/local-addrs';

/** What the route decision looks at; everything the rule needs, nothing it has to fetch. */
export interface RouteQuestion {
  /** The publisher's advertisement. */
  readonly advertisement: Advertisement;
  /** This process's host identity. */
  readonly identity: HostIdentity;
  /**
   * The members of `addresses` that belong to this host (the paper's IP table), counting
   * loopback addresses only when `loopback` is true: `LocalAddressTable.localAddressesIn`.
   */
  readonly localAddressesIn: (addresses: readonly string[], options: { readonly loopback: boolean }) => readonly string[];
  /** Whether a shared-memory transport is configured (the addon loaded). */
  readonly shmAvailable: boolean;
  /** Whether a TCP transport is configured. */
  readonly tcpAvailable: boolean;
}

/** The decision, with the reason in words (shown in `subscriber.routes()` and logs). */
export interface RouteAnswer {
  /** `'shm'` means: try shared memory (the segment probe still has to succeed). */
  readonly transport: TransportKind | 'none';
  readonly reason: string;
}

/**
 * Decides how to reach an advertised publisher, before any I/O:
 *
 * 1. The paper's rule first: one of the advertised addresses must be an address of this host.
 *    Loopback addresses count only when the publisher is in our network namespace (every
 *    host and every namespace has its own 127.0.0.1).
 * 2. The publisher must run on this kernel (boot id), or its segment is not ours to map.
 *    Namespace ids do not decide: containers in other IPC namespaces often share /dev/shm
 *    (`--ipc=host`, `--ipc=container:…`, a /dev/shm volume), and then shared memory works.
 * 3. It must advertise a shared-memory endpoint, and we must have the transport.
 *
 * When all hold the answer is `'shm'`; the caller then probes the segment (opens it and checks
 * the advertised nonce), which is what decides for containers, NAT and duplicated private
 * addresses, and falls back to `'tcp'` if the probe fails. Otherwise `'tcp'` when possible.
 *
 * @example
 * ```ts
 * const answer = chooseRoute({
 *   advertisement, identity: hostIdentity(),
 *   localAddressesIn: (addresses, options) => table.localAddressesIn(addresses, options),
 *   shmAvailable: true, tcpAvailable: true,
 * });
 * // { transport: 'shm', reason: 'same host (127.0.0.1), same IPC namespace' }
 * ```
 */
export function chooseRoute(question: RouteQuestion): RouteAnswer {
  const { advertisement, identity } = question;
  const tcp = (reason: string): RouteAnswer =>
    question.tcpAvailable && advertisement.endpoints.tcp !== undefined
      ? { transport: 'tcp', reason }
      : {
          transport: 'none',
          reason: `${reason}, and no TCP route (${question.tcpAvailable ? 'the publisher has no TCP endpoint' : 'TCP is not configured'})`,
        };

  const loopback = sameNetworkNamespace(identity, advertisement.host);
  const local = question.localAddressesIn(advertisement.addresses, { loopback });
  if (local.length === 0) {
    return tcp(
      loopback
        ? 'none of its addresses is on this host'
        : 'none of its addresses is on this host (loopback does not count: another network namespace)',
    );
  }
  if (!canShareMemory(identity, advertisement.host))
    return tcp(`its address ${local[0] ?? ''} is local but it runs on another kernel (boot id)`);
  if (advertisement.endpoints.shm === undefined) return tcp(`same host (${local[0] ?? ''}) but it offers no shared memory`);
  if (!question.shmAvailable) return tcp(`same host (${local[0] ?? ''}) but shared memory is not available here`);
  const ipc =
    identity.ipcNamespace === advertisement.host.ipcNamespace
      ? 'same IPC namespace'
      : 'another IPC namespace, so the segment probe decides';
  return { transport: 'shm', reason: `same host (${local[0] ?? ''}), ${ipc}` };
}
