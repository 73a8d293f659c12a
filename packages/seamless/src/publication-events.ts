import { realTimers } from '@seamless/transport';
import type { PublicationListener, SubscriberInfo } from '@seamless/transport';

/** What a publisher hears from its publications, once it exists. */
export interface PublicationEventSink {
  subscribersChanged(): void;
  subscriberAdded(subscriber: SubscriberInfo): void;
  subscriberRemoved(subscriber: SubscriberInfo): void;
}

/**
 * The one listener a publisher's publications report to. It exists before the publisher does
 * (publications are opened first), so what arrives before {@link connect} is kept and handed
 * over then, in order. An exception thrown by the sink (an application's event listener) never
 * reaches the transport that reported: it is rethrown on a later turn, as an uncaught error.
 */
export class PublicationEvents implements PublicationListener {
  #sink: PublicationEventSink | undefined;
  #early: ((sink: PublicationEventSink) => void)[] = [];

  /** Starts delivering to `sink`, beginning with what arrived before. */
  connect(sink: PublicationEventSink): void {
    this.#sink = sink;
    for (const deliver of this.#early.splice(0)) this.#deliver(deliver);
  }

  subscribersChanged(): void {
    this.#deliver((sink) => {
      sink.subscribersChanged();
    });
  }

  subscriberAdded(subscriber: SubscriberInfo): void {
    this.#deliver((sink) => {
      sink.subscriberAdded(subscriber);
    });
  }

  subscriberRemoved(subscriber: SubscriberInfo): void {
    this.#deliver((sink) => {
      sink.subscriberRemoved(subscriber);
    });
  }

  #deliver(deliver: (sink: PublicationEventSink) => void): void {
    const sink = this.#sink;
    if (sink === undefined) {
      this.#early.push(deliver);
      return;
    }
    try {
      deliver(sink);
    } catch (error) {
      realTimers.setImmediate(() => {
        throw error;
      });
    }
  }
}
