import type { Route } from '@seamless/seamless';

/** Options of {@link RouteLog}. */
export interface RouteLogOptions {
  /** How long events are gathered before a line is written (default 250 ms). */
  readonly delayMs?: number;
  /** How many topics a line names before it says how many more (default 8). */
  readonly maxTopics?: number;
  /** Publishers received from right now, said at the end of every line. */
  readonly publishers: () => number;
}

/**
 * The log of a subscription's publishers coming and going, a line per burst rather than per
 * publisher: a subscriber of `md.>` attaches to every symbol's publisher of a feed at once
 * (and loses them all at once when the feed stops), which would otherwise be a line per
 * symbol. Events are gathered for a moment, then written grouped by transport and reason:
 * `algo: md.> +8 over shm (same host): md.AAPL md.MSFT …; 8 publishers`.
 *
 * @example
 * ```ts
 * const routes = new RouteLog('algo: md.>', (line) => log.info(line), { publishers: () => subscriber.routes().length });
 * subscriber.on('publisher-added', (route) => routes.added(route));
 * subscriber.on('publisher-removed', (route, reason) => routes.removed(route, reason));
 * ```
 */
export class RouteLog {
  readonly #prefix: string;
  readonly #write: (line: string) => void;
  readonly #delayMs: number;
  readonly #maxTopics: number;
  readonly #publishers: () => number;
  // Publishers added or removed, by what the line says of them, in the order they came.
  readonly #pending = new Map<string, { readonly sign: '+' | '-'; readonly detail: string; readonly topics: string[] }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(prefix: string, write: (line: string) => void, options: RouteLogOptions) {
    this.#prefix = prefix;
    this.#write = write;
    this.#delayMs = options.delayMs ?? 250;
    this.#maxTopics = options.maxTopics ?? 8;
    this.#publishers = options.publishers;
  }

  /** A publisher was found and is received from. */
  added(route: Route): void {
    this.#gather('+', `over ${route.transport} (${route.reason})`, route.topic);
  }

  /** A publisher went away, for `reason`. */
  removed(route: Route, reason: string): void {
    this.#gather('-', `(${reason})`, route.topic);
  }

  /** Writes what was gathered now, a line per group. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const { sign, detail, topics } of this.#pending.values()) {
      const named = topics.slice(0, this.#maxTopics).join(' ');
      const more = topics.length > this.#maxTopics ? ` and ${topics.length - this.#maxTopics} more` : '';
      const count = this.#publishers();
      this.#write(`${this.#prefix} ${sign}${topics.length} ${detail}: ${named}${more}; ${count} publisher${count === 1 ? '' : 's'}`);
    }
    this.#pending.clear();
  }

  /** Drops what was gathered and stops the timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #gather(sign: '+' | '-', detail: string, topic: string): void {
    const key = `${sign}${detail}`;
    const group = this.#pending.get(key);
    if (group === undefined) this.#pending.set(key, { sign, detail, topics: [topic] });
    else group.topics.push(topic);
    this.#timer ??= setTimeout(() => {
      this.flush();
    }, this.#delayMs);
  }
}
