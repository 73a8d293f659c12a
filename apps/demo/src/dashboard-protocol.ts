// The messages between the dashboard process and the page, as JSON over the WebSocket at /ws.
// This file is shared by the server (src/) and the page (web/app.ts): types and small pure
// functions, nothing that needs Node.js or a browser.

/** How a stream travels: through shared memory or over TCP. */
export type TransportLabel = 'shm' | 'tcp';

/** Whether a transport kind (`message.transport`) is one the page has a badge for. */
export function isTransportLabel(kind: string): kind is TransportLabel {
  return kind === 'shm' || kind === 'tcp';
}

/** Latency percentiles, in nanoseconds. */
export interface LatencyView {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One symbol's line in the price table. */
export interface QuoteRow {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  /** The first trade price the dashboard saw: what the change is measured from. */
  readonly open: number;
  /**
   * Wall-clock milliseconds of the tick that gave `open`. Earlier than the dashboard's start
   * when that tick came from the symbol's last value cache (its publisher's history).
   */
  readonly openAt: number;
  readonly high: number;
  readonly low: number;
  /** Shares traded since the dashboard started. */
  readonly volume: number;
  readonly ticks: number;
  /** Wall-clock milliseconds of the last tick. */
  readonly updatedAt: number;
  /** The direction of the last change of the last price. */
  readonly direction: -1 | 0 | 1;
}

/** A chart point: wall-clock milliseconds and a price (or a P&L amount). */
export type PricePoint = readonly [time: number, value: number];

/** One order in the blotter, with its fill once it arrived. */
export interface OrderRow {
  /** Unique across algorithm restarts: the algorithm's source id and the order id. */
  readonly key: string;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly price: number;
  readonly status: 'accepted' | 'rejected';
  readonly signal: 'golden-cross' | 'death-cross';
  readonly limit: 'none' | 'position' | 'gross';
  readonly timestamp: number;
  /** The feed's tick to the algorithm's decision, nanoseconds. */
  readonly decisionLatency: number;
  readonly fill: { readonly price: number; readonly positionAfter: number } | null;
}

/** Where a stream runs between the demo's processes. */
export type StreamEnd = 'feed' | 'algo' | 'dashboard';

/** One stream between two processes: how it travels and how fast. */
export interface StreamRow {
  readonly id: 'ticks-to-algo' | 'ticks-to-dashboard' | 'orders' | 'fills' | 'stats';
  /** The stream's topic, or the pattern of its topics (`md.>`: every symbol's). */
  readonly topic: string;
  readonly from: StreamEnd;
  readonly to: StreamEnd;
  /** The transports in use right now (empty: no publisher). */
  readonly transports: readonly TransportLabel[];
  /** Why (the route decision of the subscriber). */
  readonly reason: string;
  /** The publishers received from, over all of the stream's topics. */
  readonly publishers: number;
  /** The concrete topics of those publishers (one per symbol for `md.>`). */
  readonly topics: number;
  /** Messages per second over the last second. */
  readonly rate: number;
  /** End to end, sender to receiver, over the last second; `null` when nothing was measured. */
  readonly latency: LatencyView | null;
  readonly total: number;
  /**
   * Messages, of `total`, that publishers had kept for late joiners and handed over on
   * attaching (each symbol's last tick, the latest statistics, recent orders and fills).
   */
  readonly fromHistory: number;
  readonly lost: number;
  readonly malformed: number;
  /** `live`: messages flow; `idle`: a publisher but no message lately; `down`: no publisher. */
  readonly state: 'live' | 'idle' | 'down';
}

export interface PositionRow {
  readonly symbol: string;
  readonly position: number;
  readonly averagePrice: number;
  readonly mark: number;
  readonly realized: number;
  readonly unrealized: number;
}

/** The algorithm as its statistics describe it. */
export interface AlgoView {
  readonly online: boolean;
  readonly pid: number;
  readonly hostname: string;
  /** Whether the algorithm shares the dashboard's network namespace. */
  readonly sameNetNamespace: boolean;
  readonly netNamespace: string;
  readonly startedAt: number;
  readonly ticks: number;
  /** Tick to decision over the last half second. */
  readonly decision: LatencyView | null;
  readonly accepted: number;
  readonly rejected: number;
  readonly fills: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly total: number;
  readonly grossNotional: number;
  readonly maxGrossNotional: number;
  readonly positions: readonly PositionRow[];
  readonly fastMs: number;
  readonly slowMs: number;
}

/** The dashboard process itself. */
export interface ServerView {
  readonly pid: number;
  readonly hostname: string;
  readonly netNamespace: string;
  readonly startedAt: number;
  readonly clients: number;
}

/** What every snapshot and update carries. */
export interface DashboardView {
  /** Wall-clock milliseconds on the server. */
  readonly time: number;
  readonly quotes: readonly QuoteRow[];
  readonly streams: readonly StreamRow[];
  readonly algo: AlgoView | null;
  readonly server: ServerView;
}

/** The whole state: sent when a page connects (and after it fell behind). */
export interface SnapshotMessage extends DashboardView {
  readonly type: 'snapshot';
  /** How much history the charts keep, in seconds. */
  readonly windowSeconds: number;
  readonly charts: Readonly<Record<string, readonly PricePoint[]>>;
  readonly pnlHistory: readonly PricePoint[];
  /** The most recent orders, newest first. */
  readonly orders: readonly OrderRow[];
}

/** What changed since the previous message (ten times a second). */
export interface UpdateMessage extends DashboardView {
  readonly type: 'update';
  readonly points: Readonly<Record<string, readonly PricePoint[]>>;
  readonly pnlPoints: readonly PricePoint[];
  /** Orders that are new or changed (a fill arrived), newest first. */
  readonly orders: readonly OrderRow[];
}

/** The answer to a {@link PingMessage}. */
export interface PongMessage {
  readonly type: 'pong';
  readonly id: number;
  readonly time: number;
}

export type ServerMessage = SnapshotMessage | UpdateMessage | PongMessage;

/** The only thing a page sends: a ping, answered with a pong carrying the same id. */
export interface PingMessage {
  readonly type: 'ping';
  readonly id: number;
}

export type ClientMessage = PingMessage;

/** The largest WebSocket message the server accepts; a larger one closes that connection. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/**
 * Reads a message from a page: a ping, or `undefined` for anything else (garbage is ignored,
 * never an error).
 *
 * @example
 * ```ts
 * parseClientMessage('{"type":"ping","id":1}'); // { type: 'ping', id: 1 }
 * parseClientMessage('hello');                  // undefined
 * ```
 */
export function parseClientMessage(text: string): ClientMessage | undefined {
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (type !== 'ping' || typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
  return { type, id };
}
