import { ErrorCode, SeamlessError } from '@seamless/seamless';

/*
 * The demo's wire format, in one file although it is longer than most: the three records share
 * one header, one set of field checks and the one layout table below, which splitting would
 * scatter. Ticks, orders and fills are small fixed-layout binary records (little-endian), 56
 * bytes plus the symbol; the algorithm's statistics, sent twice a second, are JSON (see
 * algo-stats.ts).
 *
 *  offset  tick (T)            order (O)             fill (F)
 *  0       u8  kind 'T'        u8  kind 'O'          u8  kind 'F'
 *  1       u8  version 1       u8  version 1         u8  version 1
 *  2       u8  symbol length   u8  symbol length     u8  symbol length
 *  3       u8  0               u8  side              u8  side
 *  4       u32 size            u8  status            u32 order id
 *  5                           u8  signal
 *  6                           u8  limit
 *  7                           u8  0
 *  8       f64 bid             u32 order id          u32 quantity
 *  12                          u32 quantity          i32 position after
 *  16      f64 ask             f64 price             f64 price
 *  24      f64 last            f64 timestamp         f64 timestamp
 *  32      f64 timestamp       f64 decided at        f64 sent at
 *  40      f64 sent at         f64 tick sent at      f64 realized P&L after
 *  48      u32 clock domain    u32 clock domain      u32 clock domain
 *  52      u32 source          u32 source            u32 source
 *  56      symbol (ASCII, 1 to 16 bytes)
 *
 * side: 1 buy, 2 sell. status: 1 accepted, 2 rejected. signal: 1 golden cross, 2 death cross.
 * limit: 0 none, 1 position limit, 2 gross notional limit. Timestamps are wall-clock
 * milliseconds since the epoch; "sent at" and "decided at" are monotonic nanoseconds
 * (clock.ts), comparable between processes of one clock domain. The source is a random id of
 * the sending process, drawn at its start: it tells a restarted algorithm's order 1 from the
 * previous one's, and pairs a fill with its order although they travel on different topics.
 */

/** The version every record carries in byte 1; a record of another version is refused. */
export const WIRE_VERSION = 1;
/** The longest symbol the wire format carries. */
export const MAX_SYMBOL_LENGTH = 16;
/** The fixed part of every record; the symbol follows. */
export const RECORD_HEADER_BYTES = 56;
/** The longest record (header plus the longest symbol). */
export const MAX_RECORD_BYTES = RECORD_HEADER_BYTES + MAX_SYMBOL_LENGTH;

const TICK_KIND = 0x54; // 'T'
const ORDER_KIND = 0x4f; // 'O'
const FILL_KIND = 0x46; // 'F'
const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,15}$/;

/** One market-data update of one symbol. */
export interface Tick {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  /** The price of the last trade. */
  readonly last: number;
  /** The size of the last trade, in shares. */
  readonly size: number;
  /** Wall-clock time of the update, milliseconds since the epoch. */
  readonly timestamp: number;
  /** Monotonic nanoseconds when the feed sent it (for latency). */
  readonly sentAt: number;
  /** The clock domain of `sentAt` (see clock.ts). */
  readonly clockDomain: number;
  /** The random id of the sending process. */
  readonly source: number;
}

export type Side = 'buy' | 'sell';
/** `accepted`: sent to the (simulated) market; `rejected`: stopped by a risk limit. */
export type OrderStatus = 'accepted' | 'rejected';
/** The crossover that triggered the order: the fast average crossed above or below the slow one. */
export type OrderSignal = 'golden-cross' | 'death-cross';
/** Which limit trimmed or rejected the order. */
export type OrderLimit = 'none' | 'position' | 'gross';

/** An order the algorithm decided on. */
export interface Order {
  /** Counts from 1 in each algorithm process. */
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  /** Shares: sent when accepted, wanted when rejected. */
  readonly quantity: number;
  /** The touch price it was decided at (ask to buy, bid to sell). */
  readonly price: number;
  readonly status: OrderStatus;
  readonly signal: OrderSignal;
  readonly limit: OrderLimit;
  /** Wall-clock milliseconds since the epoch. */
  readonly timestamp: number;
  /** Monotonic nanoseconds of the decision. */
  readonly decidedAt: number;
  /** Monotonic nanoseconds when the feed sent the tick that triggered it. */
  readonly tickSentAt: number;
  readonly clockDomain: number;
  /** The random id of the algorithm process. */
  readonly source: number;
}

/** An execution of an order (the demo's market fills every accepted order at once, in full). */
export interface Fill {
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  /** The algorithm's position in the symbol after this fill (negative: short). */
  readonly positionAfter: number;
  /** The symbol's realized profit and loss after this fill. */
  readonly realizedAfter: number;
  readonly timestamp: number;
  readonly sentAt: number;
  readonly clockDomain: number;
  /** The random id of the algorithm process (the same as its order's). */
  readonly source: number;
}

const SIDES: readonly Side[] = ['buy', 'sell'];
const STATUSES: readonly OrderStatus[] = ['accepted', 'rejected'];
const SIGNALS: readonly OrderSignal[] = ['golden-cross', 'death-cross'];
const LIMITS: readonly OrderLimit[] = ['none', 'position', 'gross'];

/**
 * Whether `symbol` is one the wire format carries: 1 to 16 characters, upper-case letters,
 * digits, `.`, `_` and `-`, starting with a letter or digit.
 *
 * @example
 * ```ts
 * isValidSymbol('BRK.B'); // true
 * isValidSymbol('aapl');  // false
 * ```
 */
export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol);
}

/**
 * Encodes a tick into `target` (default: a new buffer) and returns the bytes written (a view of
 * `target`), so a sender can reuse one scratch buffer.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` for a field the format cannot carry.
 * @example
 * ```ts
 * const scratch = new Uint8Array(MAX_RECORD_BYTES);
 * publisher.send(encodeTick(tick, scratch));
 * ```
 */
export function encodeTick(tick: Tick, target: Uint8Array = new Uint8Array(MAX_RECORD_BYTES)): Uint8Array {
  checkPrice(tick.bid, 'bid');
  checkPrice(tick.ask, 'ask');
  checkPrice(tick.last, 'last');
  if (tick.bid > tick.ask) invalid(`bid ${tick.bid} is above ask ${tick.ask}`);
  checkUint32(tick.size, 'size');
  checkTime(tick.timestamp, 'timestamp');
  checkTime(tick.sentAt, 'sentAt');
  const { view, length } = header(target, TICK_KIND, tick);
  view.setUint8(3, 0);
  view.setUint32(4, tick.size, true);
  view.setFloat64(8, tick.bid, true);
  view.setFloat64(16, tick.ask, true);
  view.setFloat64(24, tick.last, true);
  view.setFloat64(32, tick.timestamp, true);
  view.setFloat64(40, tick.sentAt, true);
  return target.subarray(0, length);
}

/**
 * Decodes a tick, checking every field.
 *
 * @throws SeamlessError `ERR_PROTOCOL` for anything but a well-formed tick of this version.
 * @example
 * ```ts
 * subscriber.on('message', (message) => {
 *   const tick = decodeTick(message.data);
 *   console.log(tick.symbol, tick.last);
 * });
 * ```
 */
export function decodeTick(data: Uint8Array): Tick {
  const { view, symbol, clockDomain, source } = readHeader(data, TICK_KIND, 'tick');
  if (view.getUint8(3) !== 0) malformed('tick', 'reserved byte is not 0');
  const bid = readPrice(view, 8, 'tick', 'bid');
  const ask = readPrice(view, 16, 'tick', 'ask');
  if (bid > ask) malformed('tick', `bid ${bid} is above ask ${ask}`);
  return {
    symbol,
    bid,
    ask,
    last: readPrice(view, 24, 'tick', 'last'),
    size: view.getUint32(4, true),
    timestamp: readTime(view, 32, 'tick', 'timestamp'),
    sentAt: readTime(view, 40, 'tick', 'sentAt'),
    clockDomain,
    source,
  };
}

/**
 * Encodes an order (see {@link encodeTick} for `target`).
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` for a field the format cannot carry.
 * @example
 * ```ts
 * ordersPublisher.send(encodeOrder(order));
 * ```
 */
export function encodeOrder(order: Order, target: Uint8Array = new Uint8Array(MAX_RECORD_BYTES)): Uint8Array {
  checkUint32(order.orderId, 'orderId');
  checkUint32(order.quantity, 'quantity');
  checkPrice(order.price, 'price');
  checkTime(order.timestamp, 'timestamp');
  checkTime(order.decidedAt, 'decidedAt');
  checkTime(order.tickSentAt, 'tickSentAt');
  const { view, length } = header(target, ORDER_KIND, order);
  view.setUint8(3, codeOf(SIDES, order.side, 'side') + 1);
  view.setUint8(4, codeOf(STATUSES, order.status, 'status') + 1);
  view.setUint8(5, codeOf(SIGNALS, order.signal, 'signal') + 1);
  view.setUint8(6, codeOf(LIMITS, order.limit, 'limit'));
  view.setUint8(7, 0);
  view.setUint32(8, order.orderId, true);
  view.setUint32(12, order.quantity, true);
  view.setFloat64(16, order.price, true);
  view.setFloat64(24, order.timestamp, true);
  view.setFloat64(32, order.decidedAt, true);
  view.setFloat64(40, order.tickSentAt, true);
  return target.subarray(0, length);
}

/**
 * Decodes an order, checking every field.
 *
 * @throws SeamlessError `ERR_PROTOCOL` for anything but a well-formed order of this version.
 * @example
 * ```ts
 * const order = decodeOrder(message.data);
 * console.log(order.side, order.quantity, order.symbol, order.status);
 * ```
 */
export function decodeOrder(data: Uint8Array): Order {
  const { view, symbol, clockDomain, source } = readHeader(data, ORDER_KIND, 'order');
  if (view.getUint8(7) !== 0) malformed('order', 'reserved byte is not 0');
  return {
    orderId: view.getUint32(8, true),
    symbol,
    side: readCode(SIDES, view.getUint8(3) - 1, 'order', 'side'),
    quantity: view.getUint32(12, true),
    price: readPrice(view, 16, 'order', 'price'),
    status: readCode(STATUSES, view.getUint8(4) - 1, 'order', 'status'),
    signal: readCode(SIGNALS, view.getUint8(5) - 1, 'order', 'signal'),
    limit: readCode(LIMITS, view.getUint8(6), 'order', 'limit'),
    timestamp: readTime(view, 24, 'order', 'timestamp'),
    decidedAt: readTime(view, 32, 'order', 'decidedAt'),
    tickSentAt: readTime(view, 40, 'order', 'tickSentAt'),
    clockDomain,
    source,
  };
}

/**
 * Encodes a fill (see {@link encodeTick} for `target`).
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` for a field the format cannot carry.
 * @example
 * ```ts
 * fillsPublisher.send(encodeFill(fill));
 * ```
 */
export function encodeFill(fill: Fill, target: Uint8Array = new Uint8Array(MAX_RECORD_BYTES)): Uint8Array {
  checkUint32(fill.orderId, 'orderId');
  checkUint32(fill.quantity, 'quantity');
  checkPrice(fill.price, 'price');
  if (!Number.isInteger(fill.positionAfter) || fill.positionAfter < -0x80000000 || fill.positionAfter > 0x7fffffff) {
    invalid(`positionAfter must be a 32-bit integer, got ${String(fill.positionAfter)}`);
  }
  if (!Number.isFinite(fill.realizedAfter)) invalid(`realizedAfter must be finite, got ${String(fill.realizedAfter)}`);
  checkTime(fill.timestamp, 'timestamp');
  checkTime(fill.sentAt, 'sentAt');
  const { view, length } = header(target, FILL_KIND, fill);
  view.setUint8(3, codeOf(SIDES, fill.side, 'side') + 1);
  view.setUint32(4, fill.orderId, true);
  view.setUint32(8, fill.quantity, true);
  view.setInt32(12, fill.positionAfter, true);
  view.setFloat64(16, fill.price, true);
  view.setFloat64(24, fill.timestamp, true);
  view.setFloat64(32, fill.sentAt, true);
  view.setFloat64(40, fill.realizedAfter, true);
  return target.subarray(0, length);
}

/**
 * Decodes a fill, checking every field.
 *
 * @throws SeamlessError `ERR_PROTOCOL` for anything but a well-formed fill of this version.
 * @example
 * ```ts
 * const fill = decodeFill(message.data);
 * console.log(fill.orderId, fill.price, fill.positionAfter);
 * ```
 */
export function decodeFill(data: Uint8Array): Fill {
  const { view, symbol, clockDomain, source } = readHeader(data, FILL_KIND, 'fill');
  const realizedAfter = view.getFloat64(40, true);
  if (!Number.isFinite(realizedAfter)) malformed('fill', 'realized P&L is not finite');
  return {
    orderId: view.getUint32(4, true),
    symbol,
    side: readCode(SIDES, view.getUint8(3) - 1, 'fill', 'side'),
    quantity: view.getUint32(8, true),
    price: readPrice(view, 16, 'fill', 'price'),
    positionAfter: view.getInt32(12, true),
    realizedAfter,
    timestamp: readTime(view, 24, 'fill', 'timestamp'),
    sentAt: readTime(view, 32, 'fill', 'sentAt'),
    clockDomain,
    source,
  };
}

function header(
  target: Uint8Array,
  kind: number,
  record: { readonly symbol: string; readonly clockDomain: number; readonly source: number },
): { view: DataView; length: number } {
  const { symbol, clockDomain, source } = record;
  if (!isValidSymbol(symbol)) invalid(`symbol ${JSON.stringify(symbol)} is not 1-16 characters of A-Z 0-9 . _ -`);
  checkUint32(clockDomain, 'clockDomain');
  checkUint32(source, 'source');
  const length = RECORD_HEADER_BYTES + symbol.length;
  if (target.byteLength < length) invalid(`target buffer of ${target.byteLength} bytes is shorter than the ${length} needed`);
  const view = new DataView(target.buffer, target.byteOffset, length);
  view.setUint8(0, kind);
  view.setUint8(1, WIRE_VERSION);
  view.setUint8(2, symbol.length);
  view.setUint32(48, clockDomain, true);
  view.setUint32(52, source, true);
  for (let index = 0; index < symbol.length; index++) target[RECORD_HEADER_BYTES + index] = symbol.charCodeAt(index);
  return { view, length };
}

function readHeader(data: Uint8Array, kind: number, what: string): { view: DataView; symbol: string; clockDomain: number; source: number } {
  if (!(data instanceof Uint8Array)) malformed(what, 'data is not a Uint8Array');
  if (data.byteLength < RECORD_HEADER_BYTES + 1) malformed(what, `${data.byteLength} bytes is too short`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint8(0) !== kind) malformed(what, `kind byte is 0x${view.getUint8(0).toString(16)}`);
  if (view.getUint8(1) !== WIRE_VERSION) malformed(what, `version ${view.getUint8(1)}, expected ${WIRE_VERSION}`);
  const symbolLength = view.getUint8(2);
  if (symbolLength < 1 || symbolLength > MAX_SYMBOL_LENGTH) malformed(what, `symbol length ${symbolLength}`);
  if (data.byteLength !== RECORD_HEADER_BYTES + symbolLength) {
    malformed(what, `${data.byteLength} bytes, expected ${RECORD_HEADER_BYTES + symbolLength}`);
  }
  const symbol = String.fromCharCode(...data.subarray(RECORD_HEADER_BYTES));
  if (!isValidSymbol(symbol)) malformed(what, 'symbol has characters outside A-Z 0-9 . _ -');
  return { view, symbol, clockDomain: view.getUint32(48, true), source: view.getUint32(52, true) };
}

function readPrice(view: DataView, offset: number, what: string, field: string): number {
  const value = view.getFloat64(offset, true);
  if (!(Number.isFinite(value) && value > 0)) malformed(what, `${field} ${value} is not a positive price`);
  return value;
}

function readTime(view: DataView, offset: number, what: string, field: string): number {
  const value = view.getFloat64(offset, true);
  if (!(Number.isFinite(value) && value >= 0)) malformed(what, `${field} ${value} is not a time`);
  return value;
}

function readCode<T>(values: readonly T[], code: number, what: string, field: string): T {
  const value = values[code];
  if (value === undefined) malformed(what, `${field} code ${code} is unknown`);
  return value;
}

function codeOf<T>(values: readonly T[], value: T, field: string): number {
  const code = values.indexOf(value);
  if (code < 0) invalid(`${field} ${JSON.stringify(value)} is not one of ${values.join(', ')}`);
  return code;
}

function checkPrice(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) invalid(`${field} must be a positive finite price, got ${String(value)}`);
}

function checkTime(value: number, field: string): void {
  if (!(Number.isFinite(value) && value >= 0)) invalid(`${field} must be a non-negative finite time, got ${String(value)}`);
}

function checkUint32(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    invalid(`${field} must be a 32-bit unsigned integer, got ${String(value)}`);
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}

function malformed(what: string, problem: string): never {
  throw new SeamlessError(ErrorCode.Protocol, `malformed ${what}: ${problem}`);
}
