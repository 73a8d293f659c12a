import { describeValue, invalidAdvertisement } from '@seamless/transport';

/**
 * The kind the socket transport names itself, on messages (`message.transport === 'tcp'`),
 * routes and advertisements (`endpoints.tcp`). The package and its types say "socket" (it
 * speaks TCP, with or without TLS); what a user sees on the bus says `'tcp'`.
 */
export const TCP_TRANSPORT_KIND = 'tcp';

/**
 * Where a publication can be reached over TCP, as advertised under `endpoints.tcp`: the
 * listening port, on each of the advertisement's `addresses`.
 */
export interface SocketEndpoint {
  /** The TCP port, 1..65535. */
  readonly port: number;
  /** Whether the listener speaks TLS. */
  readonly tls: boolean;
}

/**
 * Validates an advertised TCP endpoint (untrusted: it came through a resolver).
 *
 * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` naming the bad field.
 *
 * @example
 * ```ts
 * const { port, tls } = parseSocketEndpoint(advertisement.endpoints['tcp']);
 * ```
 */
export function parseSocketEndpoint(value: unknown): SocketEndpoint {
  const field = `endpoints.${TCP_TRANSPORT_KIND}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidAdvertisement(field, `must be an object, got ${describeValue(value)}`);
  }
  const { port, tls } = value as Record<string, unknown>;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidAdvertisement(`${field}.port`, `must be an integer 1..65535, got ${describeValue(port)}`);
  }
  if (typeof tls !== 'boolean') throw invalidAdvertisement(`${field}.tls`, `must be a boolean, got ${describeValue(tls)}`);
  return Object.freeze({ port, tls });
}
