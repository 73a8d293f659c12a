import { endpointOf } from '@seamless/transport';
import { messageOf } from './message-of.js';
import type { Advertisement, HostIdentity, Transport, TransportKind } from '@seamless/transport';
import { canShareMemory, sameNetworkNamespace } from '@seamless/local-addrs';

/** What the route decision needs of a transport: its name, its reach and its endpoint check. */
export type RouteTransport = Pick<Transport, 'kind' | 'reach' | 'parseEndpoint'>;

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
  /** The bus's transports, in the order it was given them. */
  readonly transports: readonly RouteTransport[];
}

/** One transport worth trying, with the reason in words (shown in `subscriber.routes()`). */
export interface RouteCandidate {
  readonly kind: TransportKind;
  readonly reason: string;
}

/** The decision: which transports to try, best first, and why. */
export interface RouteAnswer {
  /**
   * The transports to try, best first; each one's `canReach` decides whether to try it or go
   * on to the next (for shared memory, the segment probe), except the last, which is simply
   * tried. Empty when none can reach the publisher.
   */
  readonly candidates: readonly RouteCandidate[];
  /** Why: the reason of the first candidate, or why there is none. */
  readonly reason: string;
}

/**
 * Decides how to reach an advertised publisher, before any I/O, knowing no transport by name:
 *
 * 1. A transport is a candidate only if the publisher advertises a valid endpoint of its kind
 *    (the transport's own `parseEndpoint` judges).
 * 2. A `'host'` transport (shared memory) also needs the publisher on this host: the paper's
 *    rule, one of the advertised addresses is an address of this host (loopback only when the
 *    publisher is in our network namespace: every namespace has its own 127.0.0.1), and the
 *    same kernel (boot id), or its memory is not ours to map. Namespace ids do not decide:
 *    containers in other IPC namespaces often share /dev/shm (`--ipc=host`, a /dev/shm
 *    volume); the transport's `canReach` probe does.
 * 3. `'host'` transports rank before `'network'` ones; the bus's order is kept within a reach.
 *
 * @example
 * ```ts
 * const answer = chooseRoute({
 *   advertisement, identity: hostIdentity(),
 *   localAddressesIn: (addresses, options) => table.localAddressesIn(addresses, options),
 *   transports: [shm, tcp],
 * });
 * // { candidates: [{ kind: 'shm', reason: 'same host (127.0.0.1), same IPC namespace' },
 * //                { kind: 'tcp', reason: 'same host (127.0.0.1), same IPC namespace' }], ... }
 * ```
 */
export function chooseRoute(question: RouteQuestion): RouteAnswer {
  const { advertisement } = question;
  const where = placeOf(question);
  const notes: string[] = [];
  if (where.onHost) {
    // What this host could have used, were the transport here.
    const ours = new Set(question.transports.map((transport) => transport.kind));
    for (const kind of Object.keys(advertisement.endpoints)) if (!ours.has(kind)) notes.push(`no ${kind} transport here`);
  }
  const ranked = [...question.transports.filter((t) => t.reach === 'host'), ...question.transports.filter((t) => t.reach !== 'host')];
  const candidates: RouteCandidate[] = [];
  for (const transport of ranked) {
    if (transport.reach === 'host' && !where.onHost) continue; // `where` says why
    const entry = endpointOf(advertisement, transport.kind);
    if (entry === undefined) {
      notes.push(`it offers no ${transport.kind} endpoint`);
      continue;
    }
    try {
      transport.parseEndpoint(entry);
    } catch (error) {
      notes.push(`${transport.kind}: ${messageOf(error)}`);
      continue;
    }
    candidates.push({ kind: transport.kind, reason: [where.text, ...notes].join('; ') });
  }
  const first = candidates[0];
  if (first !== undefined) return { candidates, reason: first.reason };
  return { candidates, reason: [where.text, ...notes, 'no transport here can reach it'].join('; ') };
}

// Where the publisher runs, seen from here: on this host (by the paper's rule and the boot id)
// or not, in words.
function placeOf(question: RouteQuestion): { readonly onHost: boolean; readonly text: string } {
  const { advertisement, identity } = question;
  const loopback = sameNetworkNamespace(identity, advertisement.host);
  const local = question.localAddressesIn(advertisement.addresses, { loopback });
  if (local.length === 0) {
    return {
      onHost: false,
      text: loopback
        ? 'none of its addresses is on this host'
        : 'none of its addresses is on this host (loopback does not count: another network namespace)',
    };
  }
  if (!canShareMemory(identity, advertisement.host)) {
    return { onHost: false, text: `its address ${local[0] ?? ''} is local but it runs on another kernel (boot id)` };
  }
  const ipc =
    identity.ipcNamespace === advertisement.host.ipcNamespace ? 'same IPC namespace' : 'another IPC namespace, so the probe decides';
  return { onHost: true, text: `same host (${local[0] ?? ''}), ${ipc}` };
}
