import net from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { describeValue, ErrorCode, SeamlessError } from '@seamless/transport';
import type { HostIdentity } from '@seamless/transport';
import { nodeNetwork } from './socket-network.js';
import type { SocketNetwork } from './socket-network.js';

/**
 * TLS for the transport, through ordinary `node:tls` options. For mutual TLS give both sides a
 * certificate and set `server.requestCert: true` (with the default `rejectUnauthorized: true`,
 * a subscriber without a certificate signed by `server.ca` is refused).
 *
 * @example
 * ```ts no-run
 * const credentials = { key, cert, ca };
 * createSocketTransport({
 *   tls: { server: { ...credentials, requestCert: true }, client: credentials },
 * });
 * ```
 */
export interface SocketTransportTls {
  /**
   * Options for `tls.createServer`. When given, the listener speaks TLS and publications
   * advertise `tls: true`.
   */
  readonly server?: TlsOptions;
  /**
   * Options for `tls.connect` (`host`, `port` and, for host names, `servername` are filled in).
   * Used for publishers that advertise `tls: true`. When given, publishers that advertise plain
   * TCP are refused (no silent downgrade). Without it, TLS publishers are verified against
   * Node's default certificate authorities.
   */
  readonly client?: ConnectionOptions;
}

/** Reconnection after a subscription lost its connection. */
export interface ReconnectOptions {
  /** The first delay, in milliseconds (default 100). */
  readonly initialDelayMs?: number;
  /** The longest delay; each failed attempt doubles it up to this (default 5000). */
  readonly maxDelayMs?: number;
  /**
   * The fraction of each delay that is random, 0..1 (default 0.5): a delay `d` becomes a value
   * in `[d * (1 - jitter), d]`, so subscribers of a restarted publisher do not all come back
   * at once.
   */
  readonly jitter?: number;
  /**
   * How long to keep trying after the connection was lost before the subscription ends with
   * `ERR_CONNECTION`, in milliseconds (default 60000; `Infinity`: never give up).
   */
  readonly giveUpAfterMs?: number;
}

/** Dead-peer detection. */
export interface HeartbeatOptions {
  /** Send a HEARTBEAT after this long without sending anything (default 1000 ms). */
  readonly intervalMs?: number;
  /**
   * Drop a connection after this long without receiving anything (default 10000 ms; 0: never).
   * Each side tells the other its timeout in the handshake, and the other side then sends at
   * least three times per timeout. A subscriber that is itself not reading (its receive queue
   * is full) does not count that time.
   */
  readonly timeoutMs?: number;
}

/**
 * Options of {@link createSocketTransport}. Every field is optional; unknown fields are
 * refused (they are usually typos).
 */
export interface SocketTransportOptions {
  /**
   * The address the listener binds to (default: all interfaces, IPv6 and IPv4 where available).
   * An IP address or a host name such as `localhost`.
   */
  readonly host?: string;
  /** The listening port (default 0: the system picks one; it is advertised). */
  readonly port?: number;
  /** TLS; see {@link SocketTransportTls}. Absent: plain TCP. */
  readonly tls?: SocketTransportTls;
  /**
   * This process's host identity (`hostIdentity()` from `@seamless/local-addrs`). Loopback
   * addresses of an advertisement are tried first when the publisher has the same boot id and
   * network namespace, and never otherwise (another namespace's 127.0.0.1 is not the
   * publisher). Without it, loopback addresses are never used.
   */
  readonly identity?: HostIdentity;
  /** The largest payload of any publication or subscription (default 16 MiB, at most 1 GiB). */
  readonly maxMessageSize?: number;
  /**
   * Publisher side, per subscriber connection: the most bytes queued for it (default 4 MiB).
   * `reliable` publications refuse a `send` that would exceed it; `latest` ones drop the oldest
   * queued messages. One message larger than the bound is still accepted into an empty queue.
   */
  readonly maxSendQueueBytes?: number;
  /**
   * Subscriber side, per subscription: the most received bytes waiting for `poll()` (default
   * 8 MiB). Beyond it the socket stops reading, so TCP flow control reaches the publisher. A
   * message longer than the bound is still read in full.
   */
  readonly maxReceiveQueueBytes?: number;
  /** Dead-peer detection; see {@link HeartbeatOptions}. */
  readonly heartbeat?: HeartbeatOptions;
  /** Reconnection; see {@link ReconnectOptions}. */
  readonly reconnect?: ReconnectOptions;
  /**
   * How long one attempt to reach one address may take, TCP connect, TLS and Seamless
   * handshake together (default 5000 ms). Also how long the listener waits for a HELLO.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long `close()` of a publication waits for queued messages to reach its subscribers
   * before it drops the connections (default 2000 ms).
   */
  readonly lingerMs?: number;
  /**
   * Told about problems that affect one connection and end nothing the caller owns: a peer
   * that broke the protocol or failed the TLS handshake, a subscriber dropped for silence.
   * Default: ignored (the connection is closed either way).
   */
  readonly onConnectionError?: (error: SeamlessError) => void;
  /** The sockets to use (default {@link nodeNetwork}). */
  readonly network?: SocketNetwork;
  /** The random source for reconnect jitter, returning values in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  readonly host: string | undefined;
  readonly port: number;
  readonly tls: { readonly server: TlsOptions | undefined; readonly client: ConnectionOptions | undefined };
  readonly identity: HostIdentity | undefined;
  readonly maxMessageSize: number;
  readonly maxSendQueueBytes: number;
  readonly maxReceiveQueueBytes: number;
  readonly heartbeat: Required<HeartbeatOptions>;
  readonly reconnect: Required<ReconnectOptions>;
  readonly connectTimeoutMs: number;
  readonly lingerMs: number;
  readonly onConnectionError: (error: SeamlessError) => void;
  readonly network: SocketNetwork;
  readonly random: () => number;
}

/**
 * The defaults of {@link SocketTransportOptions}.
 *
 * @example
 * ```ts
 * import { SOCKET_TRANSPORT_DEFAULTS } from '@seamless/socket-transport';
 *
 * createSocketTransport({ maxSendQueueBytes: 4 * SOCKET_TRANSPORT_DEFAULTS.maxSendQueueBytes });
 * ```
 */
export const SOCKET_TRANSPORT_DEFAULTS = Object.freeze({
  maxMessageSize: 16 * 1024 * 1024,
  maxSendQueueBytes: 4 * 1024 * 1024,
  maxReceiveQueueBytes: 8 * 1024 * 1024,
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 10_000,
  reconnectInitialDelayMs: 100,
  reconnectMaxDelayMs: 5000,
  reconnectJitter: 0.5,
  reconnectGiveUpAfterMs: 60_000,
  connectTimeoutMs: 5000,
  lingerMs: 2000,
});

/**
 * The largest `maxMessageSize` a transport accepts: 1 GiB.
 *
 * @example
 * ```ts
 * import { MAX_MESSAGE_SIZE_LIMIT } from '@seamless/socket-transport';
 *
 * createSocketTransport({ maxMessageSize: Math.min(wanted, MAX_MESSAGE_SIZE_LIMIT) });
 * ```
 */
export const MAX_MESSAGE_SIZE_LIMIT = 1024 * 1024 * 1024;
// setTimeout's limit; also fits the uint32 heartbeat field of the handshake.
const maxDelay = 2_147_483_647;
const hostNamePattern = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const topLevelKeys = [
  'host',
  'port',
  'tls',
  'identity',
  'maxMessageSize',
  'maxSendQueueBytes',
  'maxReceiveQueueBytes',
  'heartbeat',
  'reconnect',
  'connectTimeoutMs',
  'lingerMs',
  'onConnectionError',
  'network',
  'random',
];

function fail(field: string, problem: string, value?: unknown): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, `invalid socket transport options: ${field} ${problem}`, {
    details: { field, problem, ...(value === undefined ? {} : { value: describeValue(value) }) },
  });
}

function record(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `must be an object, got ${describeValue(value)}`, value);
  }
  const entries = value as Record<string, unknown>;
  for (const key of Object.keys(entries)) {
    if (!keys.includes(key)) {
      const where = field === 'options' ? key : `${field}.${key}`;
      fail(where, `is not a known option (known: ${keys.join(', ')})`);
    }
  }
  return entries;
}

function integer(value: unknown, field: string, minimum: number, maximum: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    fail(field, `must be an integer from ${minimum} to ${maximum}, got ${describeValue(value)}`, value);
  }
  return value;
}

function optionalObject(value: unknown, field: string): object | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(field, `must be an object, got ${describeValue(value)}`, value);
  }
  return value;
}

function callable<T>(value: unknown, field: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') fail(field, `must be a function, got ${describeValue(value)}`, value);
  return value as T;
}

/** Checks a {@link HostIdentity}; `field` names it in the error. */
export function checkIdentity(value: unknown, field: string): HostIdentity {
  const identity = record(value, field, ['bootId', 'ipcNamespace', 'netNamespace', 'hostname']);
  for (const key of ['bootId', 'ipcNamespace', 'netNamespace', 'hostname']) {
    const part = identity[key];
    if (typeof part !== 'string' || part.length === 0 || part.length > 255) {
      fail(`${field}.${key}`, `must be a non-empty string, got ${describeValue(part)}`, part);
    }
  }
  return identity as unknown as HostIdentity;
}

/**
 * Validates {@link SocketTransportOptions} and fills in the defaults.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the first bad field.
 */
export function resolveSocketTransportOptions(options: unknown = {}): ResolvedOptions {
  const given = record(options, 'options', topLevelKeys);
  const defaults = SOCKET_TRANSPORT_DEFAULTS;

  const host = given['host'];
  if (host !== undefined && (typeof host !== 'string' || (net.isIP(host) === 0 && !hostNamePattern.test(host)))) {
    fail('host', `must be an IP address or a host name, got ${describeValue(host)}`, host);
  }
  const port = integer(given['port'], 'port', 0, 65535, 0);

  let tls: ResolvedOptions['tls'] = { server: undefined, client: undefined };
  if (given['tls'] !== undefined) {
    const tlsRecord = record(given['tls'], 'tls', ['server', 'client']);
    tls = {
      server: optionalObject(tlsRecord['server'], 'tls.server'),
      client: optionalObject(tlsRecord['client'], 'tls.client'),
    };
    if (tls.server === undefined && tls.client === undefined) fail('tls', 'must have server or client options');
  }

  const identity = given['identity'] === undefined ? undefined : checkIdentity(given['identity'], 'identity');
  const maxMessageSize = integer(given['maxMessageSize'], 'maxMessageSize', 0, MAX_MESSAGE_SIZE_LIMIT, defaults.maxMessageSize);
  const maxSendQueueBytes = integer(given['maxSendQueueBytes'], 'maxSendQueueBytes', 1, 2 ** 31, defaults.maxSendQueueBytes);
  const maxReceiveQueueBytes = integer(given['maxReceiveQueueBytes'], 'maxReceiveQueueBytes', 1, 2 ** 31, defaults.maxReceiveQueueBytes);

  const heartbeatGiven = given['heartbeat'] === undefined ? {} : record(given['heartbeat'], 'heartbeat', ['intervalMs', 'timeoutMs']);
  const intervalMs = integer(heartbeatGiven['intervalMs'], 'heartbeat.intervalMs', 10, maxDelay, defaults.heartbeatIntervalMs);
  const timeoutMs = integer(heartbeatGiven['timeoutMs'], 'heartbeat.timeoutMs', 0, maxDelay, defaults.heartbeatTimeoutMs);
  if (timeoutMs !== 0 && timeoutMs <= intervalMs) {
    fail('heartbeat.timeoutMs', `must be 0 (never) or greater than heartbeat.intervalMs (${intervalMs}), got ${timeoutMs}`);
  }

  const reconnectGiven =
    given['reconnect'] === undefined
      ? {}
      : record(given['reconnect'], 'reconnect', ['initialDelayMs', 'maxDelayMs', 'jitter', 'giveUpAfterMs']);
  const initialDelayMs = integer(
    reconnectGiven['initialDelayMs'],
    'reconnect.initialDelayMs',
    1,
    maxDelay,
    defaults.reconnectInitialDelayMs,
  );
  const maxDelayMs = integer(
    reconnectGiven['maxDelayMs'],
    'reconnect.maxDelayMs',
    1,
    maxDelay,
    Math.max(defaults.reconnectMaxDelayMs, initialDelayMs),
  );
  if (maxDelayMs < initialDelayMs) {
    fail('reconnect.maxDelayMs', `must be at least reconnect.initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`);
  }
  const jitter = reconnectGiven['jitter'] ?? defaults.reconnectJitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    fail('reconnect.jitter', `must be a number from 0 to 1, got ${describeValue(jitter)}`, jitter);
  }
  const giveUp = reconnectGiven['giveUpAfterMs'] ?? defaults.reconnectGiveUpAfterMs;
  if (giveUp !== Number.POSITIVE_INFINITY && (typeof giveUp !== 'number' || !Number.isInteger(giveUp) || giveUp < 0)) {
    fail('reconnect.giveUpAfterMs', `must be a non-negative integer or Infinity, got ${describeValue(giveUp)}`, giveUp);
  }

  const connectTimeoutMs = integer(given['connectTimeoutMs'], 'connectTimeoutMs', 1, maxDelay, defaults.connectTimeoutMs);
  const lingerMs = integer(given['lingerMs'], 'lingerMs', 0, maxDelay, defaults.lingerMs);
  const onConnectionError = callable<(error: SeamlessError) => void>(given['onConnectionError'], 'onConnectionError', () => undefined);

  let network = nodeNetwork;
  if (given['network'] !== undefined) {
    const networkRecord = record(given['network'], 'network', ['createServer', 'connect']);
    network = {
      createServer: callable(networkRecord['createServer'], 'network.createServer', nodeNetwork.createServer),
      connect: callable(networkRecord['connect'], 'network.connect', nodeNetwork.connect),
    };
  }
  const random = callable<() => number>(given['random'], 'random', Math.random);

  return {
    host: host,
    port,
    tls,
    identity,
    maxMessageSize,
    maxSendQueueBytes,
    maxReceiveQueueBytes,
    heartbeat: { intervalMs, timeoutMs },
    reconnect: { initialDelayMs, maxDelayMs, jitter, giveUpAfterMs: giveUp },
    connectTimeoutMs,
    lingerMs,
    onConnectionError,
    network,
    random,
  };
}
