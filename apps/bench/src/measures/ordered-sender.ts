import type { EventLink } from '../links/link.js';

/**
 * Sends on an event link from inside event handlers, keeping order under back-pressure: what
 * the link refuses is copied, queued and sent after `drained()`, before anything newer.
 */
export class OrderedSender {
  readonly #link: EventLink;
  readonly #onError: (error: Error) => void;
  readonly #queue: Uint8Array[] = [];
  #flushing = false;

  constructor(link: EventLink, onError: (error: Error) => void) {
    this.#link = link;
    this.#onError = onError;
  }

  send(data: Uint8Array): void {
    if (this.#queue.length === 0 && this.#link.send(data)) return;
    this.#queue.push(data.slice());
    if (!this.#flushing) {
      this.#flush().catch((error: unknown) => {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      });
    }
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
        if (this.#link.send(next)) this.#queue.shift();
        else await this.#link.drained();
      }
    } finally {
      this.#flushing = false;
    }
  }
}
