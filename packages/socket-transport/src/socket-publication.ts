import type { Socket } from 'node:net';
import { types } from 'node:util';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy, Publication, PublicationListener, SubscriberInfo } from '@seamless/transport';
import type { FrameDecoder } from './frame-decoder.js';
import { FrameTypes } from './frame-decoder.js';
import { encodeWelcome } from './handshake.js';
import type { Hello, StreamStart } from './handshake.js';
import { heartbeatSendInterval } from './heartbeat.js';
import { HistoryReplay } from './history-replay.js';
import { HistoryRing } from './history-ring.js';
import { TCP_TRANSPORT_KIND } from './socket-endpoint.js';
import type { SocketEndpoint } from './socket-endpoint.js';
import { SubscriberConnection } from './subscriber-connection.js';
import { DATA_HEADER_SIZE } from './wire-format.js';

/**
 * A {@link Publication} over TCP, with the figures a socket transport can add.
 *
 * With `history` N > 0 it keeps copies of its last N messages, whether anyone subscribes or
 * not: N times their size in memory (at most twice that, plus about 200 bytes per message),
 * for as long as it is open. A subscriber that connects (or reconnects) receives the retained
 * messages it asks for first, then the live stream, with no gap and no duplicate between them.
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
  /** How many of its latest messages it retains for subscribers that connect later (0: none). */
  readonly history: number;
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
  readonly history: number;
  readonly endpoint: SocketEndpoint;
  /** Always true: a subscriber is a connection, counted when it says hello. */
  readonly exactSubscriberCount = true;

  /** Subscribers that take live messages. */
  #connections: SubscriberConnection[] = [];
  /** Subscribers still catching up on the history (only with history). */
  #joining: HistoryReplay[] = [];
  readonly #history: HistoryRing | undefined;
  /** How many subscribers ever attached: the ids of SubscriberInfo. */
  #attached = 0;
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
    this.history = settings.history;
    this.endpoint = settings.endpoint;
    this.#reliable = settings.policy === 'reliable';
    this.#history = settings.history > 0 ? new HistoryRing(settings.history) : undefined;
  }

  get subscriberCount(): number {
    return this.#connections.length + this.#joining.length;
  }

  get queuedBytes(): number {
    let total = 0;
    for (const connection of this.#connections) total += connection.queuedBytes;
    for (const replay of this.#joining) total += replay.connection.queuedBytes;
    return total;
  }

  get droppedMessages(): number {
    let total = this.#droppedByDeparted;
    for (const connection of this.#connections) total += connection.dropped;
    for (const replay of this.#joining) total += replay.connection.dropped;
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
   * Takes over a connection whose HELLO named this publication: answers WELCOME, queues the
   * retained messages the subscriber asked for and starts sending. Called by the listener, on
   * the event loop: every message sent before this call is in the replay (if retained and
   * asked for), every message sent after it reaches the subscriber live or through the replay.
   */
  attach(socket: Socket, peer: string, decoder: FrameDecoder, hello: Hello): void {
    decoder.setAccepted(FrameTypes.publisherStream);
    const ring = this.#history;
    const position = ring === undefined ? 0 : replayStart(ring, hello.start);
    socket.write(
      encodeWelcome({
        policy: this.policy,
        heartbeatTimeoutMs: this.#settings.heartbeat.timeoutMs,
        maxMessageSize: this.maxMessageSize,
        firstSequence: ring === undefined ? undefined : firstSequence(ring, position),
      }),
    );
    const info: SubscriberInfo = Object.freeze({
      transport: TCP_TRANSPORT_KIND,
      id: `${String(++this.#attached)}@${peer}`,
      ...(hello.pid === 0 ? {} : { pid: hello.pid }),
      ...(hello.hostname === '' ? {} : { hostname: hello.hostname }),
    });
    const connection = new SubscriberConnection({
      socket,
      peer,
      info,
      decoder,
      policy: this.policy,
      maxQueuedBytes: this.#settings.maxSendQueueBytes,
      heartbeatSendIntervalMs: heartbeatSendInterval(this.#settings.heartbeat.intervalMs, hello.heartbeatTimeoutMs),
      heartbeatTimeoutMs: this.#settings.heartbeat.timeoutMs,
      onRoom: this.#onRoom,
      onClosed: this.#detach,
      onProblem: this.#settings.onProblem,
    });
    if (ring !== undefined && position < ring.end) {
      const replay = new HistoryReplay(connection, ring, position);
      replay.pump();
      if (replay.caughtUp) this.#connections = [...this.#connections, connection];
      else this.#joining = [...this.#joining, replay];
      this.#scheduleFlush();
    } else {
      this.#connections = [...this.#connections, connection];
    }
    const listener = this.#settings.listener;
    listener?.subscriberAdded?.(info);
    listener?.subscribersChanged?.(this.subscriberCount);
  }

  #deliver(data: Uint8Array, sequence: number): boolean {
    if (this.#history !== undefined) return this.#deliverRetained(this.#history, data, sequence);
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

  /** `#deliver` with history: the message is also retained, and joining subscribers get it through their replay. */
  #deliverRetained(ring: HistoryRing, data: Uint8Array, sequence: number): boolean {
    const connections = this.#connections;
    const count = connections.length;
    const joining = this.#joining;
    if (this.#reliable) {
      const frameSize = DATA_HEADER_SIZE + data.byteLength;
      for (let index = 0; index < count; index++) {
        if (connections[index]?.hasRoom(frameSize) === false) return false;
      }
      for (const replay of joining) if (!replay.ringHasRoom) return false;
    }
    for (let index = 0; index < count; index++) connections[index]?.append(data, sequence);
    ring.push(data, sequence);
    if (count > 0 || joining.length > 0) this.#scheduleFlush();
    return true;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    realTimers.setImmediate(this.#flush);
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
    for (const replay of this.#joining) {
      if (!replay.ringHasRoom) return false;
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
    for (const replay of this.#joining) this.#advance(replay);
    this.#checkWaiters();
  };

  /** Lets a joining subscriber's replay go on; once it has caught up, the subscriber takes live messages. */
  #advance(replay: HistoryReplay): void {
    replay.pump();
    replay.connection.flush();
    if (!replay.caughtUp) return;
    this.#joining = this.#joining.filter((candidate) => candidate !== replay);
    this.#connections = [...this.#connections, replay.connection];
  }

  readonly #onRoom = (connection: SubscriberConnection): void => {
    if (this.#closing !== undefined) return;
    const replay = this.#joining.find((candidate) => candidate.connection === connection);
    if (replay !== undefined) this.#advance(replay);
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
    if (this.#connections.includes(connection)) {
      this.#connections = this.#connections.filter((candidate) => candidate !== connection);
    } else if (this.#joining.some((replay) => replay.connection === connection)) {
      this.#joining = this.#joining.filter((replay) => replay.connection !== connection);
    } else {
      return;
    }
    this.#droppedByDeparted += connection.dropped;
    if (this.#closing === undefined) {
      const listener = this.#settings.listener;
      listener?.subscriberRemoved?.(connection.info);
      listener?.subscribersChanged?.(this.subscriberCount);
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
    // What a joining subscriber has not been sent yet was accepted for it too.
    for (const replay of this.#joining) replay.pumpAll();
    this.#history?.clear();
    const connections = [...this.#connections, ...this.#joining.map((replay) => replay.connection)];
    await Promise.all(connections.map((connection) => connection.finish(this.#settings.lingerMs)));
  }
}

/** The ring position a subscriber's stream starts at. */
function replayStart(ring: HistoryRing, start: StreamStart): number {
  if (start === 'live') return ring.end;
  if (start === 'oldest') return ring.oldest;
  return ring.firstFrom(start);
}

/**
 * The sequence number of the first message a stream starting at `position` carries: the
 * retained one there, or the one after the newest (every message is sent to a publication with
 * history, so that is the next one), unknown before the first message.
 */
function firstSequence(ring: HistoryRing, position: number): number | undefined {
  if (position < ring.end) return ring.sequenceAt(position);
  return ring.end === 0 ? undefined : ring.sequenceAt(ring.end - 1) + 1;
}

function abortedError(signal: AbortSignal | undefined): SeamlessError {
  return new SeamlessError(ErrorCode.Aborted, 'drained: aborted', { cause: signal?.reason });
}
