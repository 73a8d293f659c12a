import type { SubscriberInfo } from '@seamless/seamless';

/** A change of an {@link Audience}: a subscriber process attached to its first topic, or left its last. */
export interface AudienceChange {
  readonly type: 'joined' | 'left';
  /** Who, as a phrase for a log line: `pid 4242 on trader-1 over shm`. */
  readonly subscriber: string;
  /** Subscribers attached right now, after the change. */
  readonly size: number;
}

/**
 * The subscribers of a process's publishers, told apart by process (pid and host, as the
 * transport reports them) and transport rather than by attachment: a dashboard that subscribes
 * `md.>` attaches to every symbol's publisher of the feed, and the feed should say once that it
 * came, and once that it left, not once per symbol. A subscriber whose transport does not
 * report its process counts once per attachment. Fed from the publishers'
 * `subscriber-added` and `subscriber-removed` events.
 *
 * @example
 * ```ts
 * const audience = new Audience((change) => log.info(`feed: ${change.subscriber} ${change.type}; ${change.size} in all`));
 * publisher.on('subscriber-added', (info) => audience.added(publisher.topic, info));
 * publisher.on('subscriber-removed', (info) => audience.removed(publisher.topic, info));
 * ```
 */
export class Audience {
  readonly #onChange: (change: AudienceChange) => void;
  // Subscriber (process and transport) -> its attachments (topic and attachment id).
  readonly #members = new Map<string, Set<string>>();

  constructor(onChange: (change: AudienceChange) => void) {
    this.#onChange = onChange;
  }

  /** Subscribers attached to at least one of the publishers right now. */
  get size(): number {
    return this.#members.size;
  }

  /** A subscriber attached to the publisher of `topic`. */
  added(topic: string, info: SubscriberInfo): void {
    const member = memberOf(topic, info);
    let attachments = this.#members.get(member);
    if (attachments === undefined) {
      attachments = new Set();
      this.#members.set(member, attachments);
      attachments.add(attachmentOf(topic, info));
      this.#onChange({ type: 'joined', subscriber: describe(info), size: this.#members.size });
      return;
    }
    attachments.add(attachmentOf(topic, info));
  }

  /** A subscriber detached from the publisher of `topic`. */
  removed(topic: string, info: SubscriberInfo): void {
    const member = memberOf(topic, info);
    const attachments = this.#members.get(member);
    if (attachments?.delete(attachmentOf(topic, info)) !== true || attachments.size > 0) return;
    this.#members.delete(member);
    this.#onChange({ type: 'left', subscriber: describe(info), size: this.#members.size });
  }
}

function memberOf(topic: string, info: SubscriberInfo): string {
  return info.pid === undefined
    ? `${info.transport}\u0000${attachmentOf(topic, info)}`
    : `${info.transport}\u0000${info.hostname ?? ''}\u0000${info.pid}`;
}

function attachmentOf(topic: string, info: SubscriberInfo): string {
  return `${topic}\u0000${info.id}`;
}

function describe(info: SubscriberInfo): string {
  if (info.pid === undefined) return `subscriber ${info.id} over ${info.transport}`;
  return `pid ${info.pid}${info.hostname === undefined ? '' : ` on ${info.hostname}`} over ${info.transport}`;
}
