import type { Socket } from 'node:net';
import { types } from 'node:util';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy, Publication, PublicationListener } from '@seamless/transport';
import type { FrameDecoder } from './frame-decoder.js';
import { FrameTypes } from './frame-decoder.js';
import { encodeWelcome } from './handshake.js';
import type { Hello } from './handshake.js';
import { heartbeatSendInterval } from './heartbeat.js';
import { TCP_TRANSPORT_KIND } from './socket-endpoint.js';
import type { SocketEndpoint } from './socket-endpoint.js';
import { SubscriberConnection } from './subscriber-connection.js';
import { DATA_HEADER_SIZE } from './wire-format.js';

/**
 * A {@link Publication} over TCP, with the figures a socket transport can add.
 *
 * @example
 * ```ts no-run
 * const publication = await transport.openPublication(options);
 * console.log(publication.endpoint.port, publication.queuedBytes, publication.droppedMessages);
 * ```
 */
export interface SocketPublication extends Publication<SocketEndpoint> {
  readonly kind: typeof TCP_TRANSPORT_KIND;
  /**
   * Bytes accepted and not yet taken by the kernel, summed over the connected subscribers
   * (each at most `maxSendQueueBytes`, or one larger message).
   */
  readonly queuedBytes: number;
  /** Messages dropped under `'latest'`, summed over subscribers (including departed ones). */
  readonly droppedMessages: number;
}

/** What a {@link SocketPublicationImpl} is made of. */
export interface SocketPublicationSettings {
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  readonly endpoint: SocketEndpoint;
  readonly listener: PublicationListener | undefined;
  readonly maxSendQueueBytes: number;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly lingerMs: number;
  readonly onProblem: (error: SeamlessError) => void;
  /** Called once when close() starts, so the listener stops routing HELLOs here. */
  readonly onClose: (publication: SocketPublicationImpl) => void;
}

interface DrainWaiter {
  readonly frameSize: number;
  readonly resolve: () => void;
  readonly reject: (error: SeamlessError) => void;
  readonly cleanup: () => void;
}

/** The publication: fan-out to every connected subscriber of one publisher. */
export class SocketPublicationImpl implements SocketPublication {
  readonly kind = TCP_TRANSPORT_KIND;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  readonly endpoint: SocketEndpoint;
  /** Always true: a subscriber is a connection, counted when it says hello. */
  readonly exactSubscriberCount = true;

  #connections: SubscriberConnection[] = [];
  readonly #reliable: boolean;
  #flushScheduled = false;
  #waiters: DrainWaiter[] = [];
  #closing: Promise<void> | undefined;
  #droppedByDeparted = 0;

  readonly #settings: SocketPublicationSettings;

  constructor(settings: SocketPublicationSettings) {
    this.#settings = settings;
    this.topic = settings.topic;
    this.publisherId = settings.publisherId;
    this.policy = settings.policy;
    this.maxMessageSize = settings.maxMessageSize;
    this.endpoint = settings.endpoint;
    this.#reliable = settings.policy === 'reliable';
  }

  get subscriberCount(): number {
    return this.#connections.length;
  }

  get queuedBytes(): number {
    let total = 0;
    for (const connection of this.#connections) total += connection.queuedBytes;
    return total;
  }

  get droppedMessages(): number {
    let total = this.#droppedByDeparted;
    for (const connection of this.#connections) total += connection.dropped;
    return total;
  }

  canSend(length: number): boolean {
    this.#checkLength(length, 'canSend');
    if (this.#closing !== undefined) return false;
    if (length > this.maxMessageSize) return false;
    return this.#hasRoom(DATA_HEADER_SIZE + length);
  }

  send(data: Uint8Array, sequence: number): boolean {
    // Kept small so that V8 inlines it into the caller's loop; the checks that fail go to
    // sendChecked(), which throws the right error.
    if (
      this.#closing === undefined &&
      data instanceof Uint8Array &&
      data.byteLength <= this.maxMessageSize &&
      Number.isSafeInteger(sequence) &&
      sequence >= 0
    ) {
      return this.#deliver(data, sequence);
    }
    return this.#sendChecked(data, sequence);
  }

  async drained(length: number = this.maxMessageSize, signal?: AbortSignal): Promise<void> {
    this.#checkLength(length, 'drained');
    if (length > this.maxMessageSize) {
      throw new SeamlessError(
        ErrorCode.MessageTooLarge,
        `drained: ${length} bytes exceeds maxMessageSize ${this.maxMessageSize}; such a send never succeeds`,
      );
    }
    if (this.#closing !== undefined) {
      throw new SeamlessError(ErrorCode.Closed, `publication "${this.topic}" (${this.publisherId}) is closed`);
    }
    if (signal?.aborted === true) throw abortedError(signal);
    const frameSize = DATA_HEADER_SIZE + length;
    if (this.#hasRoom(frameSize)) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
        reject(abortedError(signal));
      };
      const waiter: DrainWaiter = {
        frameSize,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /**
   * Takes over a connection whose HELLO named this publication: answers WELCOME and starts
   * sending. Called by the listener.
   */
  attach(socket: Socket, peer: string, decoder: FrameDecoder, hello: Hello): void {
    decoder.setAccepted(FrameTypes.publisherStream);
    socket.write(
      encodeWelcome({
        policy: this.policy,
        heartbeatTimeoutMs: this.#settings.heartbeat.timeoutMs,
        maxMessageSize: this.maxMessageSize,
      }),
    );
    const connection = new SubscriberConnection({
      socket,
      peer,
      decoder,
      policy: this.policy,
      maxQueuedBytes: this.#settings.maxSendQueueBytes,
      heartbeatSendIntervalMs: heartbeatSendInterval(this.#settings.heartbeat.intervalMs, hello.heartbeatTimeoutMs),
      heartbeatTimeoutMs: this.#settings.heartbeat.timeoutMs,
      onRoom: this.#checkWaiters,
      onClosed: this.#detach,
      onProblem: this.#settings.onProblem,
    });
    this.#connections = [...this.#connections, connection];
    this.#settings.listener?.subscribersChanged?.(this.#connections.length);
  }

  #deliver(data: Uint8Array, sequence: number): boolean {
    const connections = this.#connections;
    const count = connections.length;
    if (count === 0) return true;
    if (this.#reliable) {
      const frameSize = DATA_HEADER_SIZE + data.byteLength;
      for (let index = 0; index < count; index++) {
        if (connections[index]?.hasRoom(frameSize) === false) return false;
      }
    }
    for (let index = 0; index < count; index++) connections[index]?.append(data, sequence);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      realTimers.setImmediate(this.#flush);
    }
    return true;
  }

  #sendChecked(data: Uint8Array, sequence: number): boolean {
    if (this.#closing !== undefined) {
      throw new SeamlessError(ErrorCode.Closed, `publication "${this.topic}" (${this.publisherId}) is closed`);
    }
    if (!types.isUint8Array(data)) {
      throw new SeamlessError(ErrorCode.InvalidArgument, 'send: data must be a Uint8Array');
    }
    if (data.byteLength > this.maxMessageSize) {
      throw new SeamlessError(
        ErrorCode.MessageTooLarge,
        `message of ${data.byteLength} bytes exceeds maxMessageSize ${this.maxMessageSize} of "${this.topic}"`,
        { details: { length: data.byteLength, maxMessageSize: this.maxMessageSize } },
      );
    }
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new SeamlessError(ErrorCode.InvalidArgument, `send: sequence must be a non-negative safe integer, got ${String(sequence)}`);
    }
    // A Uint8Array from another realm (a vm context or worker-made view).
    return this.#deliver(data, sequence);
  }

  #hasRoom(frameSize: number): boolean {
    if (!this.#reliable) return true;
    for (const connection of this.#connections) {
      if (!connection.hasRoom(frameSize)) return false;
    }
    return true;
  }

  #checkLength(length: number, method: string): void {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new SeamlessError(ErrorCode.InvalidArgument, `${method}: length must be a non-negative integer, got ${String(length)}`);
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const connection of this.#connections) connection.flush();
    this.#checkWaiters();
  };

  readonly #checkWaiters = (): void => {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((waiter) => this.#hasRoom(waiter.frameSize));
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) {
      waiter.cleanup();
      waiter.resolve();
    }
  };

  readonly #detach = (connection: SubscriberConnection): void => {
    if (!this.#connections.includes(connection)) return;
    this.#connections = this.#connections.filter((candidate) => candidate !== connection);
    this.#droppedByDeparted += connection.dropped;
    if (this.#closing === undefined) {
      this.#settings.listener?.subscribersChanged?.(this.#connections.length);
      this.#checkWaiters();
    }
  };

  async #shutdown(): Promise<void> {
    this.#settings.onClose(this);
    const error = new SeamlessError(ErrorCode.Closed, `publication "${this.topic}" (${this.publisherId}) is closed`);
    for (const waiter of this.#waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
    await Promise.all(this.#connections.map((connection) => connection.finish(this.#settings.lingerMs)));
  }
}

function abortedError(signal: AbortSignal | undefined): SeamlessError {
  return new SeamlessError(ErrorCode.Aborted, 'drained: aborted', { cause: signal?.reason });
}
