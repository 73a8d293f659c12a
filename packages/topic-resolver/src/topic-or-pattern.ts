import { TopicPattern, isTopicPattern, validateTopic } from '@seamless/transport';

/**
 * Checks what `resolve()` or `watch()` was given, a concrete topic or a pattern (`md.*`,
 * `md.>`), and compiles it; a concrete topic becomes a pattern that matches only itself. A
 * name without wildcard levels is checked as a topic, so its error reads as one.
 *
 * @throws SeamlessError `ERR_TOPIC_INVALID` saying what is wrong.
 */
export function parseTopicOrPattern(value: unknown): TopicPattern {
  if (typeof value !== 'string' || !isTopicPattern(value)) validateTopic(value);
  return TopicPattern.parse(value);
}
