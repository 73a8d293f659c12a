import type { TopicPattern } from '@seamless/transport';

interface Filed<T> {
  readonly pattern: TopicPattern;
  readonly value: T;
}

/** The text before a name's first `.` or `/`: its first level. */
export function firstLevel(name: string): string {
  const end = name.search(/[./]/);
  return end === -1 ? name : name.slice(0, end);
}

/** The first level of a pattern when it is literal (every match starts with it), else `undefined`. */
export function literalFirstLevel(pattern: TopicPattern): string | undefined {
  if (!pattern.isPattern) return pattern.text;
  const level = firstLevel(pattern.text);
  // The prefix is the literal text before the first wildcard: longer than the first level
  // only when that level is literal ('md.' for 'md.*', '' for '*.AAPL').
  return pattern.prefix.length > level.length ? level : undefined;
}

/**
 * Values (a resolver's watch listeners) filed under topics and topic patterns, found by the
 * concrete topic that changed. A concrete topic is one map lookup; a pattern is filed under
 * its first level when that level is literal (`md.*`, `md.us.>` under `md`), so a changed
 * topic is checked only against the patterns of its own first level and those that start
 * with a wildcard (`*.AAPL`, `>`), never against every pattern.
 */
export class TopicPatternIndex<T> {
  readonly #exact = new Map<string, Set<Filed<T>>>();
  readonly #byFirstLevel = new Map<string, Set<Filed<T>>>();
  readonly #wild = new Set<Filed<T>>();
  #patterns = 0;
  #size = 0;

  /** How many values are filed, under topics and patterns. */
  get size(): number {
    return this.#size;
  }

  /** How many values are filed under patterns (not concrete topics). */
  get patternCount(): number {
    return this.#patterns;
  }

  /** Files `value` under `pattern` (a concrete topic or a pattern); returns what takes it out again (idempotent). */
  add(pattern: TopicPattern, value: T): () => void {
    const filed: Filed<T> = { pattern, value };
    const { map, key } = this.#bucketOf(pattern);
    let bucket: Set<Filed<T>> | undefined;
    if (map === undefined) {
      bucket = this.#wild;
    } else {
      bucket = map.get(key);
      if (bucket === undefined) {
        bucket = new Set();
        map.set(key, bucket);
      }
    }
    bucket.add(filed);
    this.#size += 1;
    if (pattern.isPattern) this.#patterns += 1;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const current = map === undefined ? this.#wild : map.get(key);
      if (current?.delete(filed) !== true) return;
      this.#size -= 1;
      if (pattern.isPattern) this.#patterns -= 1;
      if (map !== undefined && current.size === 0) map.delete(key);
    };
  }

  /** The values whose topic or pattern matches the concrete `topic` (a copy). */
  valuesFor(topic: string): T[] {
    const values: T[] = [];
    for (const filed of this.#exact.get(topic) ?? []) values.push(filed.value);
    if (this.#patterns === 0) return values;
    for (const bucket of [this.#byFirstLevel.get(firstLevel(topic)), this.#wild]) {
      for (const filed of bucket ?? []) if (filed.pattern.matches(topic)) values.push(filed.value);
    }
    return values;
  }

  /** Whether any value's topic or pattern matches the concrete `topic`. */
  has(topic: string): boolean {
    if (this.#exact.has(topic)) return true;
    if (this.#patterns === 0) return false;
    for (const bucket of [this.#byFirstLevel.get(firstLevel(topic)), this.#wild]) {
      for (const filed of bucket ?? []) if (filed.pattern.matches(topic)) return true;
    }
    return false;
  }

  /** How many values are filed under exactly the concrete `topic` (patterns not counted). */
  exactCount(topic: string): number {
    return this.#exact.get(topic)?.size ?? 0;
  }

  #bucketOf(pattern: TopicPattern): { map: Map<string, Set<Filed<T>>> | undefined; key: string } {
    if (!pattern.isPattern) return { map: this.#exact, key: pattern.text };
    const level = literalFirstLevel(pattern);
    return level === undefined ? { map: undefined, key: '' } : { map: this.#byFirstLevel, key: level };
  }
}
