import type { Advertisement, TopicPattern } from '@seamless/transport';
import type { CheckedAdvertisement } from './checked-advertisement.js';
import type { ResolverEvent } from './resolver.js';
import { TopicPatternIndex, firstLevel, literalFirstLevel } from './topic-pattern-index.js';

/** Receives the changes of the topics one watch follows. */
export type TableListener = (event: ResolverEvent) => void;

/** What {@link AdvertisementTable.set} did. */
export type SetOutcome = 'added' | 'replaced' | 'unchanged';

/**
 * The advertisements a resolver currently knows, by topic and publisher id, and the listeners
 * of each topic or pattern. Every change is reported synchronously, in order, to the listeners
 * of its topic and of every pattern that matches it (see {@link TopicPatternIndex}): a content
 * change of a known publisher becomes `removed` (reason `'replaced'`) then `added`, and
 * re-setting identical content reports nothing. Events always carry the concrete
 * advertisement, so a pattern's listener learns which topic changed.
 */
export class AdvertisementTable {
  readonly #topics = new Map<string, Map<string, CheckedAdvertisement>>();
  /** The topics held, by first level: a pattern's snapshot looks at its own first level only. */
  readonly #byFirstLevel = new Map<string, Set<string>>();
  readonly #listeners = new TopicPatternIndex<TableListener>();
  #size = 0;

  /** How many advertisements the table holds, over all topics. */
  get size(): number {
    return this.#size;
  }

  /** How many listeners follow a topic or a pattern, in all. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** How many of those follow a pattern. */
  get patternListeners(): number {
    return this.#listeners.patternCount;
  }

  list(topic: string): Advertisement[] {
    const entries = this.#topics.get(topic);
    return entries === undefined ? [] : [...entries.values()].map((entry) => entry.advertisement);
  }

  /** The advertisements of every topic `pattern` matches (of its one topic, when it is concrete). */
  matching(pattern: TopicPattern): Advertisement[] {
    return this.matchingTopics(pattern).flatMap((topic) => this.list(topic));
  }

  /** The topics held that `pattern` matches. */
  matchingTopics(pattern: TopicPattern): string[] {
    if (!pattern.isPattern) return this.#topics.has(pattern.text) ? [pattern.text] : [];
    const level = literalFirstLevel(pattern);
    const candidates = level === undefined ? this.#topics.keys() : (this.#byFirstLevel.get(level) ?? []);
    return [...candidates].filter((topic) => pattern.matches(topic));
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
      this.#indexTopic(topic);
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
    if (entries.size === 0) this.#dropTopic(topic);
    this.#size -= 1;
    this.#emit(topic, { type: 'removed', advertisement: previous.advertisement, reason });
    return true;
  }

  /** Forgets a topic's advertisements without reporting anything (nobody is listening). */
  forget(topic: string): void {
    const entries = this.#topics.get(topic);
    if (entries === undefined) return;
    this.#size -= entries.size;
    this.#dropTopic(topic);
  }

  /**
   * Starts reporting the changes of every topic `pattern` matches (a concrete topic: of that
   * topic) to `listener` and returns what is known now, so that snapshot and changes join
   * without a gap.
   */
  subscribe(pattern: TopicPattern, listener: TableListener): { snapshot: Advertisement[]; unsubscribe: () => void } {
    const unsubscribe = this.#listeners.add(pattern, listener);
    return { snapshot: this.matching(pattern), unsubscribe };
  }

  /**
   * What a resolver's `watch` does with its table: an `'added'` event for everything known
   * now that `pattern` matches, then every change, all into `push`. Returns the function that
   * stops it.
   */
  feed(pattern: TopicPattern, push: TableListener): () => void {
    const { snapshot, unsubscribe } = this.subscribe(pattern, push);
    for (const advertisement of snapshot) push({ type: 'added', advertisement });
    return unsubscribe;
  }

  /** How many listeners follow exactly `topic` (pattern listeners not counted). */
  listenerCount(topic: string): number {
    return this.#listeners.exactCount(topic);
  }

  /** Whether some listener follows `topic`, by name or by a pattern that matches it. */
  isWatched(topic: string): boolean {
    return this.#listeners.has(topic);
  }

  #indexTopic(topic: string): void {
    const level = firstLevel(topic);
    let topics = this.#byFirstLevel.get(level);
    if (topics === undefined) {
      topics = new Set();
      this.#byFirstLevel.set(level, topics);
    }
    topics.add(topic);
  }

  #dropTopic(topic: string): void {
    this.#topics.delete(topic);
    const level = firstLevel(topic);
    const topics = this.#byFirstLevel.get(level);
    if (topics?.delete(topic) === true && topics.size === 0) this.#byFirstLevel.delete(level);
  }

  #emit(topic: string, event: ResolverEvent): void {
    for (const listener of this.#listeners.valuesFor(topic)) listener(event);
  }
}
