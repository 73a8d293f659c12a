import type { TransportKind } from './transport-kind.js';

/**
 * One subscriber attached to a publication, as the publication sees it: what
 * `PublicationListener.subscriberAdded` and `subscriberRemoved` report, and what the facade's
 * `'subscriber-added'` and `'subscriber-removed'` events carry.
 *
 * @example
 * ```ts
 * publisher.on('subscriber-added', (info: SubscriberInfo) => {
 *   console.log(`${info.transport} subscriber ${info.id} (pid ${info.pid ?? '?'} on ${info.hostname ?? '?'})`);
 * });
 * ```
 */
export interface SubscriberInfo {
  /** The transport it is attached over. */
  readonly transport: TransportKind;
  /**
   * Names this attachment within the publication: unique among the publication's
   * subscribers, past and present, and the same in the `removed` report as in the `added` one.
   */
  readonly id: string;
  /** The subscriber's process id, when the transport knows it. */
  readonly pid?: number;
  /** The subscriber's host name, as it gave it, when the transport knows it. */
  readonly hostname?: string;
}
