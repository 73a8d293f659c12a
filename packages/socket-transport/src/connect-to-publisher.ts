import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { formatPeer } from './format-peer.js';
import { encodeHello, parseReject, parseWelcome } from './handshake.js';
import type { StreamStart, Welcome } from './handshake.js';
import type { SocketNetwork } from './socket-network.js';
import { FrameType, RejectReason } from './wire-format.js';

/** What it takes to reach one publisher. */
export interface ConnectRequest {
  readonly topic: string;
  readonly publisherId: string;
  /** In the order to try them. */
  readonly addresses: readonly string[];
  readonly port: number;
  readonly tls: ConnectionOptions | undefined;
  readonly maxMessageSize: number;
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly network: SocketNetwork;
  /** Where the stream should start (the HELLO says it). */
  readonly start: StreamStart;
  /** This process's id and host name, for the publisher's `SubscriberInfo`. */
  readonly pid: number;
  readonly hostname: string;
  readonly signal: AbortSignal;
}

/** A connection whose handshake succeeded. The socket is paused. */
export interface HandshakenConnection {
  readonly socket: Socket;
  readonly peer: string;
  /** Holds whatever arrived after the WELCOME; accepts the subscriber stream's frames. */
  readonly decoder: FrameDecoder;
  readonly welcome: Welcome;
}

// The last error each socket emitted, for the message when it closes. A listener stays on every
// socket for its whole life, so an 'error' is never unhandled.
const lastErrors = new WeakMap<Socket, Error>();

/** The error a socket emitted last, if any. */
export function lastSocketError(socket: Socket): Error | undefined {
  return lastErrors.get(socket);
}

/**
 * Tries the addresses in order (each within `connectTimeoutMs`: TCP, TLS and handshake) and
 * returns the first connection the publisher accepted.
 *
 * @throws SeamlessError when none did: `ERR_PUBLISHER_GONE` if a listener answered that it does
 *   not know the publisher, else `ERR_PROTOCOL` if a peer broke the protocol or refused the
 *   topic or version, else `ERR_CONNECTION`; `ERR_CLOSED` when `signal` aborts. The message
 *   lists every attempt; `details.attempts` has them as data.
 */
export async function connectToPublisher(request: ConnectRequest): Promise<HandshakenConnection> {
  const failures: SeamlessError[] = [];
  for (const address of request.addresses) {
    if (request.signal.aborted) break;
    try {
      return await attempt(request, address);
    } catch (error) {
      failures.push(error as SeamlessError);
    }
  }
  if (request.signal.aborted) throw closedError();
  if (failures.length === 0) {
    throw new SeamlessError(ErrorCode.Connection, `no address to reach publisher "${request.publisherId}"`);
  }
  const rank = (error: SeamlessError): number => (error.code === ErrorCode.PublisherGone ? 3 : error.code === ErrorCode.Protocol ? 2 : 1);
  const chosen = failures.reduce((best, error) => (rank(error) > rank(best) ? error : best));
  const what = `publisher "${request.publisherId}" of topic "${request.topic}"`;
  return Promise.reject(
    new SeamlessError(chosen.code, `cannot reach ${what}: ${failures.map((error) => error.message).join('; ')}`, {
      cause: chosen,
      details: {
        publisherId: request.publisherId,
        topic: request.topic,
        attempts: failures.map((error) => ({ code: error.code, message: error.message, ...error.details })),
      },
    }),
  );
}

function closedError(): SeamlessError {
  return new SeamlessError(ErrorCode.Closed, 'the subscription was closed while connecting');
}

function attempt(request: ConnectRequest, address: string): Promise<HandshakenConnection> {
  const peer = formatPeer(address, request.port);
  return new Promise((resolve, reject) => {
    let socket: Socket;
    try {
      socket = request.network.connect({ host: address, port: request.port, tls: request.tls });
    } catch (error) {
      reject(
        new SeamlessError(ErrorCode.Connection, `${peer}: ${(error as Error).message}`, {
          cause: error,
          details: { peer },
        }),
      );
      return;
    }
    socket.on('error', (error: Error) => lastErrors.set(socket, error));
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({
      peer: `publisher ${peer}`,
      maxMessageSize: request.maxMessageSize,
      accept: FrameTypes.handshakeReply,
    });
    const settle = (error: SeamlessError | undefined, connection?: HandshakenConnection): void => {
      realTimers.clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error === undefined && connection !== undefined) {
        resolve(connection);
      } else {
        socket.destroy();
        reject(error ?? closedError());
      }
    };
    const onAbort = (): void => {
      settle(closedError());
    };
    const onClose = (): void => {
      const cause = lastErrors.get(socket);
      const reason =
        cause !== undefined
          ? describe(cause)
          : request.tls === undefined
            ? 'closed the connection during the handshake'
            : 'closed the connection during the handshake (as a TLS publisher does when it refuses the client certificate)';
      settle(new SeamlessError(ErrorCode.Connection, `${peer}: ${reason}`, { cause, details: { peer } }));
    };
    const onData = (chunk: Buffer): void => {
      decoder.push(chunk);
      try {
        if (!decoder.next()) return;
        const body = decoder.buffer.subarray(decoder.start, decoder.end);
        if (decoder.type === FrameType.Welcome) {
          const welcome = parseWelcome(body, `publisher ${peer}`);
          decoder.setAccepted(FrameTypes.subscriberStream);
          socket.pause();
          settle(undefined, { socket, peer, decoder, welcome });
          return;
        }
        const rejected = parseReject(body, `publisher ${peer}`);
        const code = rejected.reason === RejectReason.UnknownPublisher ? ErrorCode.PublisherGone : ErrorCode.Protocol;
        settle(
          new SeamlessError(code, `${peer} refused the subscription: ${rejected.text}`, {
            details: { peer, reason: rejected.reason },
          }),
        );
      } catch (error) {
        settle(error as SeamlessError);
      }
    };
    const timer = realTimers.setTimeout(() => {
      settle(
        new SeamlessError(ErrorCode.Connection, `${peer}: no answer within ${request.connectTimeoutMs} ms`, {
          details: { peer, timeoutMs: request.connectTimeoutMs },
        }),
      );
    }, request.connectTimeoutMs);
    timer.unref();
    request.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(
      encodeHello({
        topic: request.topic,
        publisherId: request.publisherId,
        heartbeatTimeoutMs: request.heartbeatTimeoutMs,
        start: request.start,
        pid: request.pid,
        hostname: request.hostname,
      }),
    );
  });
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || error.message.includes(code) ? error.message : `${code}: ${error.message}`;
}
