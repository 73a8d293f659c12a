import { ErrorCode, SeamlessError } from '@seamless/transport';

/**
 * Turns a textual IP address into the one canonical form the address table stores, or returns
 * `undefined` when the text is not an IP address.
 *
 * - IPv4 stays dotted-quad (`010.0.0.1` with leading zeros is refused, as the OS would read
 *   it as octal).
 * - IPv6 is lower-cased and compressed as RFC 5952 says (`2001:DB8:0:0::1` → `2001:db8::1`).
 * - A zone id is dropped (`fe80::1%eth0` → `fe80::1`): zone names are meaningful only on the
 *   host that wrote them.
 * - An IPv4-mapped IPv6 address becomes plain IPv4 (`::ffff:10.0.0.1` → `10.0.0.1`).
 * - Square brackets around IPv6 (`[::1]`) are accepted.
 *
 * @example
 * ```ts
 * import { normalizeAddress } from '@seamless/local-addrs';
 *
 * normalizeAddress('::FFFF:192.168.1.7'); // '192.168.1.7'
 * normalizeAddress('fe80::1%eth0');       // 'fe80::1'
 * normalizeAddress('example.com');        // undefined
 * ```
 */
export function normalizeAddress(text: string): string | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 80) return undefined;
  let address = text;
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (!address.includes(':')) return parseIpv4(address) === undefined ? undefined : address;
  const zone = address.indexOf('%');
  if (zone !== -1) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(address.slice(zone + 1))) return undefined;
    address = address.slice(0, zone);
  }
  const groups = parseIpv6(address);
  if (groups === undefined) return undefined;
  if (isIpv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return formatIpv6(groups);
}

/**
 * Like {@link normalizeAddress}, but throws {@link SeamlessError} `ERR_ADDRESS_INVALID` for
 * text that is not an IP address.
 *
 * @example
 * ```ts
 * parseAddress('::1');        // '::1'
 * parseAddress('localhost');  // throws ERR_ADDRESS_INVALID
 * ```
 */
export function parseAddress(text: string): string {
  const normalized = normalizeAddress(text);
  if (normalized === undefined) {
    const shown = typeof text === 'string' ? JSON.stringify(text.slice(0, 80)) : typeof text;
    throw new SeamlessError(ErrorCode.AddressInvalid, `${shown} is not an IPv4 or IPv6 address`, {
      details: { address: text },
    });
  }
  return normalized;
}

/**
 * Whether `address`, in any spelling {@link normalizeAddress} accepts, is a loopback address:
 * all of 127.0.0.0/8, and `::1` (also as `0:0:0:0:0:0:0:1`, IPv4-mapped `::ffff:127.x.y.z`, or
 * with a zone id). Text that is not an IP address is not loopback. The one loopback rule of
 * Seamless: the address table and the TCP transport's address choice both use it.
 *
 * @example
 * ```ts
 * isLoopbackAddress('127.4.5.6');        // true
 * isLoopbackAddress('::ffff:127.0.0.1'); // true
 * isLoopbackAddress('localhost');        // false (not an address)
 * ```
 */
export function isLoopbackAddress(address: string): boolean {
  const normalized = normalizeAddress(address);
  return normalized === '::1' || normalized?.startsWith('127.') === true;
}

/**
 * Whether `address`, in any spelling {@link normalizeAddress} accepts, is the unspecified
 * address (`0.0.0.0`, `::`): what a listener bound to every interface reports, never a place
 * to connect to.
 *
 * @example
 * ```ts
 * isUnspecifiedAddress('0:0::0'); // true
 * ```
 */
export function isUnspecifiedAddress(address: string): boolean {
  const normalized = normalizeAddress(address);
  return normalized === '0.0.0.0' || normalized === '::';
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '', halves.length === 1 ? 8 : 7, halves.length === 1);
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = parseGroups(halves[1] ?? '', 7 - head.length, true);
  if (tail === undefined) return undefined;
  // "::" stands for at least one group of zeros.
  const zeros = 8 - head.length - tail.length;
  if (zeros < 1) return undefined;
  return [...head, ...new Array<number>(zeros).fill(0), ...tail];
}

// Parses colon-separated hex groups, at most `max`; when `ipv4Last` the last part may be an
// embedded IPv4 address (only the end of a whole address may hold one).
function parseGroups(text: string, max: number, ipv4Last: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (ipv4Last && index === parts.length - 1 && part.includes('.')) {
      const octets = parseIpv4(part);
      if (octets === undefined) return undefined;
      const [a = 0, b = 0, c = 0, d = 0] = octets;
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups.length <= max ? groups : undefined;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

// RFC 5952: lower case, no leading zeros, the longest run (2 or more) of zero groups as "::".
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
