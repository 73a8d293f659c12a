import { isLoopbackAddress, isUnspecifiedAddress, normalizeAddress, sameNetworkNamespace } from '@seamless/local-addrs';
import type { HostIdentity } from '@seamless/transport';

/** Why an advertised address is not tried. */
export type SkippedBecause = 'not an IP address' | 'unspecified address' | 'loopback of another network namespace';

/** The addresses to try, in order, and those left out with the reason. */
export interface AddressChoice {
  readonly addresses: readonly string[];
  readonly skipped: readonly { readonly address: string; readonly reason: SkippedBecause }[];
}

/**
 * Which advertised addresses a subscriber tries, in which order. When `identity` is given and
 * the publisher's host has the same boot id and network namespace, loopback addresses come
 * first (they cannot leave the host); otherwise loopback addresses are skipped, because another
 * host's or namespace's `127.0.0.1` is not this one. The others follow in advertised order.
 * Unspecified addresses (`0.0.0.0`, `::`) and non-addresses are skipped.
 *
 * @example
 * ```ts
 * import { chooseAddresses } from '@seamless/socket-transport';
 *
 * const identity = { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' };
 * chooseAddresses(['10.0.0.5', '127.0.0.1'], identity, identity).addresses; // ['127.0.0.1', '10.0.0.5']
 * chooseAddresses(['10.0.0.5', '127.0.0.1'], identity, undefined).addresses; // ['10.0.0.5']
 * ```
 */
export function chooseAddresses(
  advertised: readonly string[],
  publisherHost: HostIdentity,
  identity: HostIdentity | undefined,
): AddressChoice {
  const sameNamespace = identity !== undefined && sameNetworkNamespace(identity, publisherHost);
  const loopback: string[] = [];
  const others: string[] = [];
  const skipped: { address: string; reason: SkippedBecause }[] = [];
  for (const address of advertised) {
    if (normalizeAddress(address) === undefined) {
      skipped.push({ address, reason: 'not an IP address' });
    } else if (isUnspecifiedAddress(address)) {
      skipped.push({ address, reason: 'unspecified address' });
    } else if (!isLoopbackAddress(address)) {
      if (!others.includes(address)) others.push(address);
    } else if (sameNamespace) {
      if (!loopback.includes(address)) loopback.push(address);
    } else {
      skipped.push({ address, reason: 'loopback of another network namespace' });
    }
  }
  return { addresses: [...loopback, ...others], skipped };
}
