import net from 'node:net';
import type { Server, Socket } from 'node:net';
import tls from 'node:tls';
import type { ConnectionOptions, TlsOptions } from 'node:tls';

/** Where {@link SocketNetwork.connect} connects to. */
export interface ConnectTarget {
  /** An IP address (IPv6 possibly with a zone id). */
  readonly host: string;
  readonly port: number;
  /** TLS client options when the publisher speaks TLS, `undefined` for plain TCP. */
  readonly tls: ConnectionOptions | undefined;
}

/**
 * The sockets the transport uses: `node:net` and `node:tls` unless a test (or an unusual
 * deployment) hands in something else. Both methods return ordinary Node sockets and servers.
 *
 * @example
 * ```ts
 * import { createSocketTransport, nodeNetwork } from '@seamless/socket-transport';
 *
 * const tried: string[] = [];
 * const transport = createSocketTransport({
 *   network: {
 *     createServer: nodeNetwork.createServer,
 *     connect: (target) => {
 *       tried.push(`${target.host}:${target.port}`);
 *       return nodeNetwork.connect(target);
 *     },
 *   },
 * });
 * ```
 */
export interface SocketNetwork {
  /**
   * Creates a (not yet listening) server that calls `onConnection` with every accepted socket,
   * after the TLS handshake when `tls` is given.
   */
  readonly createServer: (tls: TlsOptions | undefined, onConnection: (socket: Socket) => void) => Server;
  /** Starts connecting; the socket may be written to before it is connected. */
  readonly connect: (target: ConnectTarget) => Socket;
}

/**
 * The default {@link SocketNetwork}: `net.createServer` / `tls.createServer` and `net.connect` /
 * `tls.connect`.
 *
 * @example
 * ```ts
 * import { nodeNetwork } from '@seamless/socket-transport';
 *
 * const socket = nodeNetwork.connect({ host: '127.0.0.1', port: 4000, tls: undefined });
 * socket.on('error', () => {}).destroy();
 * ```
 */
export const nodeNetwork: SocketNetwork = {
  createServer: (tlsOptions, onConnection) => {
    if (tlsOptions === undefined) return net.createServer(onConnection);
    return tls.createServer(tlsOptions, onConnection);
  },
  connect: (target) => {
    if (target.tls === undefined) return net.connect({ host: target.host, port: target.port });
    const servername = target.tls.servername ?? (net.isIP(target.host) === 0 ? target.host : undefined);
    return tls.connect({
      ...target.tls,
      host: target.host,
      port: target.port,
      ...(servername === undefined ? {} : { servername }),
    });
  },
};
