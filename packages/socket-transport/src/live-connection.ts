// The connection a subscription receives on: its socket, the heartbeat that notices a silent
// publisher, and flow control by pausing the socket.
import type { Socket } from 'node:net';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import { lastSocketError } from './connect-to-publisher.js';
import type { HandshakenConnection } from './connect-to-publisher.js';
import { HEARTBEAT_FRAME } from './frame-encoder.js';
import { Heartbeat, heartbeatSendInterval } from './heartbeat.js';
import type { Stream } from './received-streams.js';

/** What a {@link LiveConnection} tells its subscription. */
export interface LiveConnectionEvents {
  /** Bytes arrived; they are in the stream's decoder already. */
  readonly received: () => void;
  /** The publisher closed the connection, it failed, or the publisher went silent: `error` says which. */
  readonly lost: (error: SeamlessError) => void;
}

/**
 * One handshaken connection to the publisher, feeding `stream`. The socket stays paused (as
 * the handshake left it) until the subscription resumes it.
 */
export class LiveConnection {
  readonly socket: Socket;
  /** `address:port` of the publisher. */
  readonly peer: string;
  /** The stream this connection's bytes go to. */
  readonly stream: Stream;
  readonly #heartbeat: Heartbeat;
  #paused = false;

  constructor(
    connection: HandshakenConnection,
    stream: Stream,
    heartbeat: { readonly intervalMs: number; readonly timeoutMs: number },
    events: LiveConnectionEvents,
  ) {
    const { socket, peer, welcome } = connection;
    this.socket = socket;
    this.peer = peer;
    this.stream = stream;
    this.#heartbeat = new Heartbeat({
      sendIntervalMs: heartbeatSendInterval(heartbeat.intervalMs, welcome.heartbeatTimeoutMs),
      timeoutMs: heartbeat.timeoutMs,
      send: () => {
        if (!socket.destroyed) socket.write(HEARTBEAT_FRAME);
      },
      expired: (silentMs) => {
        events.lost(
          new SeamlessError(ErrorCode.Connection, `publisher ${peer} sent nothing for ${silentMs} ms`, {
            details: { peer, silentMs },
          }),
        );
      },
    });
    socket.on('data', (chunk: Buffer) => {
      this.#heartbeat.received();
      stream.decoder.push(chunk);
      events.received();
    });
    socket.once('close', () => {
      const cause = lastSocketError(socket);
      const reason = cause === undefined ? 'closed the connection' : `connection failed: ${cause.message}`;
      events.lost(new SeamlessError(ErrorCode.Connection, `publisher ${peer} ${reason}`, { cause, details: { peer } }));
    });
  }

  /** Whether reading is paused because the receive queue is full. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stops reading (the bytes wait in the kernel and at the publisher); the publisher's silence does not count meanwhile. */
  pause(): void {
    this.#paused = true;
    this.#heartbeat.suspend(true);
    this.socket.pause();
  }

  /** Reads again after {@link pause}. */
  resume(): void {
    this.#paused = false;
    this.#heartbeat.suspend(false);
    this.socket.resume();
  }

  /** Ends the connection: its stream is finished, the heartbeat stopped, the socket destroyed. */
  stop(): void {
    this.#heartbeat.stop();
    this.stream.finished = true;
    this.socket.destroy();
  }
}
