// One side's connection for one measurement, in the style its library is meant to be used.
// The measure drivers (src/measures/) are written once per style, not per library.

/** Receives one message; `data` is valid only during the call (it may be a view into a ring). */
export type DataHandler = (data: Uint8Array) => void;

interface LinkBase {
  /** How the messages travel, as observed (for the report): `shm`, `tcp 127.0.0.1`, ... */
  readonly route: string;
  /** Resolves once the peers are connected and every route is known. */
  ready(): Promise<void>;
  /** Closes this link (not the process's shared resources). */
  close(): Promise<void>;
}

/**
 * Event-loop driven: messages arrive through a listener; `send` is synchronous and returns
 * false — having sent nothing — when back-pressured, then `drained()` says when to retry.
 */
export interface EventLink extends LinkBase {
  readonly style: 'event';
  send(data: Uint8Array): boolean;
  drained(): Promise<void>;
  listen(handler: DataHandler): void;
}

/** Busy-polled without the event loop: `poll` hands over what is ready now. */
export interface SpinLink extends LinkBase {
  readonly style: 'spin';
  send(data: Uint8Array): boolean;
  poll(handler: DataHandler): number;
}

/** Promise per operation (zeromq.js): `await send(...)`, `await receive()`. */
export interface AsyncLink extends LinkBase {
  readonly style: 'async';
  send(data: Uint8Array): Promise<void>;
  receive(): Promise<Uint8Array>;
}

export type Link = EventLink | SpinLink | AsyncLink;
