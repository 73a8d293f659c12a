import type { Advertisement } from '@seamless/transport';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import type { ResolverEvent } from './resolver.js';

/** Receives the changes of one topic. */
export type TableListener = (event: ResolverEvent) => void;

/** What {@link AdvertisementTable.set} did. */
export type SetOutcome = 'added' | 'replaced' | 'unchanged';

/**
 * The advertisements a resolver currently knows, by topic and publisher id, and the listeners
 * of each topic. Every change is reported to the topic's listeners synchronously, in order:
 * a content change of a known publisher becomes `removed` (reason `'replaced'`) then `added`,
 * and re-setting identical content reports nothing.
 */
export class AdvertisementTable {
  readonly #topics = new Map<string, Map<string, CheckedAdvertisement>>();
  readonly #listeners = new Map<string, Set<TableListener>>();
  #size = 0;

  /** How many advertisements the table holds, over all topics. */
  get size(): number {
    return this.#size;
  }

  list(topic: string): Advertisement[] {
    const entries = this.#topics.get(topic);
    return entries === undefined ? [] : [...entries.values()].map((entry) => entry.advertisement);
  }

  get(topic: string, publisherId: string): CheckedAdvertisement | undefined {
    return this.#topics.get(topic)?.get(publisherId);
  }

  /** Every entry of every topic (a copy, safe to mutate the table while iterating). */
  entries(): CheckedAdvertisement[] {
    return [...this.#topics.values()].flatMap((entries) => [...entries.values()]);
  }

  set(entry: CheckedAdvertisement): SetOutcome {
    const { topic, publisherId } = entry.advertisement;
    let entries = this.#topics.get(topic);
    if (entries === undefined) {
      entries = new Map();
      this.#topics.set(topic, entries);
    }
    const previous = entries.get(publisherId);
    if (previous?.json === entry.json) return 'unchanged';
    entries.set(publisherId, entry);
    if (previous === undefined) {
      this.#size += 1;
      this.#emit(topic, { type: 'added', advertisement: entry.advertisement });
      return 'added';
    }
    this.#emit(topic, { type: 'removed', advertisement: previous.advertisement, reason: 'replaced' });
    this.#emit(topic, { type: 'added', advertisement: entry.advertisement });
    return 'replaced';
  }

  /** Removes one advertisement and reports it with `reason`; false when it was not there. */
  delete(topic: string, publisherId: string, reason: string): boolean {
    const entries = this.#topics.get(topic);
    const previous = entries?.get(publisherId);
    if (entries === undefined || previous === undefined) return false;
    entries.delete(publisherId);
    if (entries.size === 0) this.#topics.delete(topic);
    this.#size -= 1;
    this.#emit(topic, { type: 'removed', advertisement: previous.advertisement, reason });
    return true;
  }

  /** Forgets a topic's advertisements without reporting anything (nobody is listening). */
  forget(topic: string): void {
    const entries = this.#topics.get(topic);
    if (entries === undefined) return;
    this.#size -= entries.size;
    this.#topics.delete(topic);
  }

  /**
   * Starts reporting the changes of `topic` to `listener` and returns what is known now, so
   * that snapshot and changes join without a gap.
   */
  subscribe(topic: string, listener: TableListener): { snapshot: Advertisement[]; unsubscribe: () => void } {
    let listeners = this.#listeners.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(topic, listeners);
    }
    listeners.add(listener);
    const unsubscribe = (): void => {
      const current = this.#listeners.get(topic);
      if (current?.delete(listener) === true && current.size === 0) this.#listeners.delete(topic);
    };
    return { snapshot: this.list(topic), unsubscribe };
  }

  /**
   * What a resolver's `watch` does with its table: an `'added'` event for everything known
   * now, then every change, all into `push`. Returns the function that stops it.
   */
  feed(topic: string, push: TableListener): () => void {
    const { snapshot, unsubscribe } = this.subscribe(topic, push);
    for (const advertisement of snapshot) push({ type: 'added', advertisement });
    return unsubscribe;
  }

  listenerCount(topic: string): number {
    return this.#listeners.get(topic)?.size ?? 0;
  }

  #emit(topic: string, event: ResolverEvent): void {
    const listeners = this.#listeners.get(topic);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) listener(event);
  }
}
