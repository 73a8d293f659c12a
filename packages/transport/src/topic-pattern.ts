import { ErrorCode, SeamlessError } from './seamless-error.js';
import { topicProblem } from './validate-topic.js';

/** The wildcard level that matches exactly one level. */
export const ONE_LEVEL_WILDCARD = '*';
/** The wildcard level, last only, that matches one or more levels. */
export const REST_WILDCARD = '>';

const separator = /[./]/;

// A name cut into levels and the separators between them: 'md.us/AAPL' is
// { levels: ['md', 'us', 'AAPL'], separators: ['.', '/'] }.
interface Levels {
  readonly levels: readonly string[];
  readonly separators: readonly string[];
}

function levelsOf(name: string): Levels {
  const levels: string[] = [];
  const separators: string[] = [];
  let start = 0;
  for (let index = 0; index < name.length; index++) {
    const character = name[index] ?? '';
    if (separator.test(character)) {
      levels.push(name.slice(start, index));
      separators.push(character);
      start = index + 1;
    }
  }
  levels.push(name.slice(start));
  return { levels, separators };
}

/**
 * Whether `name` is a pattern (has a `*` or `>` level) rather than a concrete topic.
 *
 * @example
 * ```ts
 * isTopicPattern('md.*'); // true
 * isTopicPattern('md.AAPL'); // false
 * ```
 */
export function isTopicPattern(name: string): boolean {
  return levelsOf(name).levels.some((level) => level === ONE_LEVEL_WILDCARD || level === REST_WILDCARD);
}

/**
 * Why `value` is neither a valid topic nor a valid pattern, or `undefined` when it is one.
 * A pattern is a topic some of whose levels (between `.` or `/`) are `*` (exactly one level)
 * or, last only, `>` (one or more levels); a wildcard is always a whole level.
 *
 * @example
 * ```ts
 * topicPatternProblem('md.>'); // undefined
 * topicPatternProblem('md.>.x'); // '">" must be the last level'
 * topicPatternProblem('md.A*'); // 'a wildcard must be a whole level: "A*"'
 * ```
 */
export function topicPatternProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return topicProblem(value);
  const { levels, separators } = levelsOf(value);
  for (const [index, level] of levels.entries()) {
    if (level === REST_WILDCARD && index !== levels.length - 1) return `"${REST_WILDCARD}" must be the last level`;
    if (level !== ONE_LEVEL_WILDCARD && level !== REST_WILDCARD && /[*>]/.test(level)) {
      return `a wildcard must be a whole level: ${JSON.stringify(level)}`;
    }
  }
  // The rest of the rules are the topic's: check the name with each wildcard as a plain level.
  const concrete = levels.map((level) => (level === ONE_LEVEL_WILDCARD || level === REST_WILDCARD ? 'x' : level));
  return topicProblem(concrete.map((level, index) => level + (separators[index] ?? '')).join(''));
}

/**
 * A compiled topic pattern: `md.*` matches `md.AAPL` but neither `md.us.AAPL` nor `md/AAPL`
 * (separators match as written); `md.>` matches `md.AAPL` and `md.us/AAPL` but not `md`. A
 * concrete topic is a pattern that matches only itself.
 *
 * @example
 * ```ts
 * const pattern = TopicPattern.parse('md.*');
 * pattern.matches('md.AAPL'); // true
 * pattern.prefix; // 'md.' (every match starts with it: for prefix watches)
 * ```
 */
export class TopicPattern {
  /** The pattern as written. */
  readonly text: string;
  /** Whether it has a wildcard (otherwise it matches its own text only). */
  readonly isPattern: boolean;
  /** The literal text before the first wildcard: every matching topic starts with it. */
  readonly prefix: string;
  readonly #levels: Levels;

  private constructor(text: string) {
    this.text = text;
    this.#levels = levelsOf(text);
    const { levels, separators } = this.#levels;
    const first = levels.findIndex((level) => level === ONE_LEVEL_WILDCARD || level === REST_WILDCARD);
    this.isPattern = first !== -1;
    this.prefix = this.isPattern
      ? levels
          .slice(0, first)
          .map((level, index) => level + (separators[index] ?? ''))
          .join('')
      : text;
  }

  /**
   * Checks and compiles a pattern (or a concrete topic).
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID` saying what is wrong.
   */
  static parse(value: unknown): TopicPattern {
    const problem = topicPatternProblem(value);
    if (problem !== undefined) {
      const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : 'pattern';
      throw new SeamlessError(ErrorCode.TopicInvalid, `invalid topic pattern ${shown}: ${problem}`, { details: { topic: value, problem } });
    }
    return new TopicPattern(value as string);
  }

  /** Whether the concrete `topic` matches. */
  matches(topic: string): boolean {
    if (!this.isPattern) return topic === this.text;
    if (!topic.startsWith(this.prefix)) return false;
    const pattern = this.#levels;
    const { levels, separators } = levelsOf(topic);
    for (const [index, level] of pattern.levels.entries()) {
      if (index > 0 && separators[index - 1] !== pattern.separators[index - 1]) return false;
      const actual = levels[index];
      if (level === REST_WILDCARD) return actual !== undefined && levels.slice(index).join('') !== '';
      if (actual === undefined) return false;
      if (level === ONE_LEVEL_WILDCARD ? actual === '' : actual !== level) return false;
    }
    return levels.length === pattern.levels.length;
  }
}
