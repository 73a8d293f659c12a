import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { encodeReject, isRejectable, parseHello } from './handshake.js';
import type { Reject } from './handshake.js';
import { formatPeer } from './format-peer.js';
import type { SocketPublicationImpl } from './socket-publication.js';
import type { ResolvedOptions } from './socket-transport-options.js';
import { RejectReason } from './wire-format.js';

/**
 * The one listening socket of a transport: accepts subscribers, reads their HELLO and hands
 * each connection to the publication it names (or refuses it with a reason). Listens lazily,
 * and keeps the process alive only while it serves publications.
 */
export class SocketServer {
  #server: Server | undefined;
  #listening: Promise<number> | undefined;
  readonly #publications = new Map<string, SocketPublicationImpl>();
  readonly #handshaking = new Set<Socket>();
  #closed = false;

  readonly #options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** Whether the listener speaks TLS. */
  get tls(): boolean {
    return this.#options.tls.server !== undefined;
  }

  /** The address the listener is bound to, once listening (`'::'`, `'0.0.0.0'`, `'127.0.0.1'`...). */
  get address(): string | undefined {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.address : undefined;
  }

  /** The port, once listening. */
  get port(): number | undefined {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  /**
   * Starts listening (once) and resolves with the port.
   *
   * @throws SeamlessError `ERR_CONNECTION` when the address cannot be bound (the cause says
   *   why: `EADDRINUSE`, `EADDRNOTAVAIL`...), `ERR_INVALID_ARGUMENT` when Node refuses the TLS
   *   options.
   */
  listen(): Promise<number> {
    this.#listening ??= this.#startListening().catch((error: unknown) => {
      this.#listening = undefined;
      this.#server = undefined;
      throw error;
    });
    return this.#listening;
  }

  /** Whether a publication with this id is registered. */
  has(publisherId: string): boolean {
    return this.#publications.has(publisherId);
  }

  /** Routes HELLOs naming `publication.publisherId` to it. */
  add(publication: SocketPublicationImpl): void {
    this.#publications.set(publication.publisherId, publication);
    this.#server?.ref();
  }

  /** Stops routing to `publication`; new HELLOs for it are refused as unknown. */
  remove(publication: SocketPublicationImpl): void {
    if (this.#publications.get(publication.publisherId) === publication) {
      this.#publications.delete(publication.publisherId);
    }
    if (this.#publications.size === 0) this.#server?.unref();
  }

  /** Stops listening and drops connections still in their handshake. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#handshaking) socket.destroy();
    this.#handshaking.clear();
    await this.#listening?.catch(() => undefined);
    const server = this.#server;
    this.#server = undefined;
    if (!server?.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  #startListening(): Promise<number> {
    const { host, port, tls, network } = this.#options;
    let server: Server;
    try {
      server = network.createServer(tls.server, this.#onConnection);
    } catch (error) {
      throw new SeamlessError(ErrorCode.InvalidArgument, `invalid socket transport options: tls.server: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#server = server;
    // Node destroys a TLS socket whose client certificate it rejects before telling us, and the
    // address goes with it: remember the peer of every raw connection.
    const rawPeers = new WeakMap<object, string>();
    server.on('connection', (raw: Socket) => {
      rawPeers.set(raw, formatPeer(raw.remoteAddress, raw.remotePort));
    });
    server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
      const parent = (socket as unknown as { _parent?: object })._parent;
      const peer = (parent === undefined ? undefined : rawPeers.get(parent)) ?? formatPeer(socket.remoteAddress, socket.remotePort);
      const authorizationError = socket.authorizationError as Error | string | null | undefined;
      const authorization = authorizationError == null ? '' : ` (client certificate: ${String(authorizationError)})`;
      this.#options.onConnectionError(
        new SeamlessError(ErrorCode.Connection, `TLS handshake with subscriber ${peer} failed: ${error.message}${authorization}`, {
          cause: error,
          details: { peer, authorizationError },
        }),
      );
    });
    return new Promise<number>((resolve, reject) => {
      const onListenError = (error: NodeJS.ErrnoException): void => {
        const where = `${host ?? 'all interfaces'} port ${port}`;
        reject(
          new SeamlessError(ErrorCode.Connection, `cannot listen on ${where}: ${error.code ?? error.message}`, {
            cause: error,
            details: { host, port, code: error.code },
          }),
        );
      };
      server.once('error', onListenError);
      server.listen({ host, port }, () => {
        server.off('error', onListenError);
        server.on('error', (error: Error) => {
          this.#options.onConnectionError(new SeamlessError(ErrorCode.Connection, `listener error: ${error.message}`, { cause: error }));
        });
        if (this.#publications.size === 0) server.unref();
        if (this.#closed) {
          server.close();
          reject(new SeamlessError(ErrorCode.Closed, 'the socket transport is closed'));
          return;
        }
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  readonly #onConnection = (socket: Socket): void => {
    const peer = formatPeer(socket.remoteAddress, socket.remotePort);
    socket.on('error', () => undefined);
    if (this.#closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.#handshaking.add(socket);
    const decoder = new FrameDecoder({ peer: `subscriber ${peer}`, maxMessageSize: 0, accept: FrameTypes.hello });
    const report = (error: SeamlessError): void => {
      this.#options.onConnectionError(error);
    };
    const timer = realTimers.setTimeout(() => {
      report(
        new SeamlessError(ErrorCode.Timeout, `subscriber ${peer} sent no HELLO within ${this.#options.connectTimeoutMs} ms`, {
          details: { peer },
        }),
      );
      socket.destroy();
    }, this.#options.connectTimeoutMs);
    timer.unref();
    const done = (): void => {
      realTimers.clearTimeout(timer);
      socket.off('data', onData);
    };
    const refuse = (rejected: Reject): void => {
      done();
      socket.end(encodeReject(rejected));
      // The subscriber closes after reading the REJECT; don't wait for it forever.
      const linger = realTimers.setTimeout(() => socket.destroy(), this.#options.connectTimeoutMs);
      linger.unref();
      socket.once('close', () => {
        realTimers.clearTimeout(linger);
      });
    };
    const onData = (chunk: Buffer): void => {
      decoder.push(chunk);
      let parsed: ReturnType<typeof parseHello>;
      try {
        if (!decoder.next()) return;
        parsed = parseHello(decoder.buffer.subarray(decoder.start, decoder.end), `subscriber ${peer}`);
      } catch (error) {
        // Only SeamlessErrors: the decoder and parseHello throw nothing else.
        done();
        report(error as SeamlessError);
        socket.destroy();
        return;
      }
      if (isRejectable(parsed)) {
        refuse(parsed.rejected);
        return;
      }
      const hello = parsed;
      const publication = this.#publications.get(hello.publisherId);
      if (publication === undefined) {
        refuse({
          reason: RejectReason.UnknownPublisher,
          text: `no publisher "${hello.publisherId}" here: it closed or never existed on this listener`,
        });
        return;
      }
      if (publication.topic !== hello.topic) {
        refuse({
          reason: RejectReason.TopicMismatch,
          text: `publisher "${hello.publisherId}" serves topic "${publication.topic}", not "${hello.topic}"`,
        });
        return;
      }
      done();
      this.#handshaking.delete(socket);
      publication.attach(socket, peer, decoder, hello);
    };
    socket.on('data', onData);
    socket.once('close', () => {
      realTimers.clearTimeout(timer);
      this.#handshaking.delete(socket);
    });
  };
}
