import net from 'node:net';
import type { HostIdentity } from '@seamless/transport';

/** Why an advertised address is not tried. */
export type SkippedBecause = 'not an IP address' | 'unspecified address' | 'loopback of another network namespace';

/** The addresses to try, in order, and those left out with the reason. */
export interface AddressChoice {
  readonly addresses: readonly string[];
  readonly skipped: readonly { readonly address: string; readonly reason: SkippedBecause }[];
}

/**
 * Whether `address` is a loopback address: `127.0.0.0/8`, `::1` in any spelling, or an
 * IPv4-mapped `::ffff:127.x.y.z`. A zone id (`%lo`) is ignored. Non-addresses are not loopback.
 *
 * @example
 * ```ts
 * import { isLoopbackAddress } from '@seamless/socket-transport';
 *
 * isLoopbackAddress('127.0.0.53');        // true
 * isLoopbackAddress('0:0:0:0:0:0:0:1');   // true
 * isLoopbackAddress('::ffff:127.0.0.1');  // true
 * isLoopbackAddress('10.0.0.1');          // false
 * ```
 */
export function isLoopbackAddress(address: string): boolean {
  const groups = addressGroups(address);
  if (groups === undefined) return false;
  if (groups.length === 4) return groups[0] === 127;
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return true;
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff && (groups[6] ?? 0) >>> 8 === 127;
}

function isUnspecified(address: string): boolean {
  const groups = addressGroups(address);
  return groups?.every((group) => group === 0) === true;
}

/** IPv4 as four octets, IPv6 as eight 16-bit groups, or undefined for a non-address. */
function addressGroups(address: string): number[] | undefined {
  const bare = address.split('%')[0] ?? '';
  const family = net.isIP(bare);
  if (family === 4) return bare.split('.').map(Number);
  if (family !== 6) return undefined;
  let text = bare.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const octets = (dotted[1] ?? '').split('.').map(Number);
    const tail = `${(((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16)}:${(((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16)}`;
    text = text.slice(0, dotted.index) + tail;
  }
  const [left = '', right] = text.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const middle = right === undefined ? [] : new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...middle, ...tail].map((group) => Number.parseInt(group, 16));
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
  const sameNamespace =
    identity?.bootId === publisherHost.bootId &&
    identity.netNamespace === publisherHost.netNamespace &&
    !identity.bootId.startsWith('unknown:') &&
    !identity.netNamespace.startsWith('unknown:');
  const loopback: string[] = [];
  const others: string[] = [];
  const skipped: { address: string; reason: SkippedBecause }[] = [];
  for (const address of advertised) {
    if (addressGroups(address) === undefined) {
      skipped.push({ address, reason: 'not an IP address' });
    } else if (isUnspecified(address)) {
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
