/**
 * Tells the messages a publisher kept for late joiners (its `history`) from live ones, by the
 * sender's clock: a message sent before this subscriber attached to its publisher can only have
 * come from that history. The receivers count such messages apart and leave them out of the
 * rate and the latency, which would otherwise report how old a last value is (seconds, for a
 * quiet symbol) as if it were how long it took to arrive.
 *
 * The clocks must be comparable: both readings are monotonic nanoseconds of one kernel (see
 * clock.ts); the caller asks only about messages of its own clock domain. A live message sent
 * in the moment between the transport attaching and the `publisher-added` event counts as
 * history too (it is only left out of the latency); a retained message is never taken for a
 * live one.
 *
 * @example
 * ```ts
 * const history = new HistoryDetector();
 * subscriber.on('publisher-added', (route) => history.attached(route.publisherId, monotonicNanoseconds()));
 * subscriber.on('publisher-removed', (route) => history.detached(route.publisherId));
 * const replayed = tick.clockDomain === clockDomain && history.fromHistory(message.publisherId, tick.sentAt);
 * ```
 */
export class HistoryDetector {
  readonly #attachedAt = new Map<string, number>();

  /** The subscriber attached to `publisherId` at `nowNanoseconds` (monotonic). */
  attached(publisherId: string, nowNanoseconds: number): void {
    this.#attachedAt.set(publisherId, nowNanoseconds);
  }

  /** The subscriber no longer receives from `publisherId`. */
  detached(publisherId: string): void {
    this.#attachedAt.delete(publisherId);
  }

  /**
   * Whether a message of `publisherId` sent at `sentAtNanoseconds` (the sender's monotonic
   * clock, comparable with ours) was sent before we attached to it: one of its history.
   */
  fromHistory(publisherId: string, sentAtNanoseconds: number): boolean {
    const attachedAt = this.#attachedAt.get(publisherId);
    return attachedAt !== undefined && sentAtNanoseconds < attachedAt;
  }
}
