import { topicKey } from './registry-file.js';

/**
 * What the host resolver knows of the topic keys in registry file names. A file name holds a
 * hash of its topic, not the topic (see registry-file.ts), so the topic behind a key is known
 * only when someone watched or resolved that topic by name, or after one file of the key was
 * read; every file of a key is of the same topic (a reader checks it against the name), so one
 * read settles a key for good.
 *
 * This is what lets a pattern watch skip a non-matching topic: its files are read once, to
 * learn the topic, and never again.
 */
export class TopicKeys {
  readonly #topics = new Map<string, string>();

  /** How many keys are known. */
  get size(): number {
    return this.#topics.size;
  }

  /** Records the key of `topic`, named by a watch or a resolve. */
  note(topic: string): void {
    this.#topics.set(topicKey(topic), topic);
  }

  /** Records what a file of `key` said its topic is (already checked against the key). */
  learn(key: string, topic: string): void {
    this.#topics.set(key, topic);
  }

  /** The topic of `key`, if known. */
  topicOf(key: string): string | undefined {
    return this.#topics.get(key);
  }

  /**
   * Forgets the keys that have no file any more (not in `listed`) unless `keep` says their
   * topic must stay known (a topic watched by name), so the memory follows the directory.
   */
  retain(listed: ReadonlySet<string>, keep: (topic: string) => boolean): void {
    for (const [key, topic] of this.#topics) {
      if (!listed.has(key) && !keep(topic)) this.#topics.delete(key);
    }
  }
}
