/**
 * What a publisher does when a subscriber falls behind.
 *
 * - `'reliable'` (the default): nothing is ever overwritten or dropped. When a live subscriber
 *   has not read what the next message would overwrite, `send()` returns `false`
 *   (back-pressure) and the caller retries after `drained()` resolves.
 * - `'latest'`: the publisher never waits. A subscriber that was lapped skips to the oldest
 *   intact message and counts what it missed (`Message.lost`, `Subscription.lost`). Right for
 *   market data and sensor readings, where only the newest value matters.
 *
 * @example
 * ```ts
 * const policy: DeliveryPolicy = 'latest';
 * ```
 */
export type DeliveryPolicy = 'reliable' | 'latest';

/** Every {@link DeliveryPolicy}, for validation and documentation. */
export const DELIVERY_POLICIES: readonly DeliveryPolicy[] = ['reliable', 'latest'];

/**
 * What a subscriber does while no message is ready.
 *
 * - `'park'` (the default): sleep without using CPU and be woken by the publisher; costs one
 *   wake-up (tens of microseconds) per burst of messages.
 * - `'spin'`: keep checking from the event loop, never sleeping; lowest latency, one core busy.
 * - `{ spinMicros }`: keep checking for that many microseconds after the last message, then
 *   park; good latency for steady streams without burning a core while idle.
 *
 * Transports that are driven by the network (TCP) ignore it.
 *
 * @example
 * ```ts
 * const idle: IdleStrategy = { spinMicros: 50 };
 * ```
 */
export type IdleStrategy = 'park' | 'spin' | { readonly spinMicros: number };
