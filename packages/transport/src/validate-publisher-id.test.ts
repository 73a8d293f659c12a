import { describe, expect, it } from 'vitest';
import { SeamlessError } from './seamless-error.js';
import { MAX_PUBLISHER_ID_LENGTH, publisherIdProblem, validatePublisherId } from './validate-publisher-id.js';

describe('validatePublisherId', () => {
  it('accepts 1 to 64 characters of A-Z a-z 0-9 _ -', () => {
    for (const id of ['p', 'feed-1', 'p-411a758eae704340', 'A_b-9', 'x'.repeat(MAX_PUBLISHER_ID_LENGTH)]) {
      expect(publisherIdProblem(id)).toBeUndefined();
      expect(validatePublisherId(id)).toBe(id);
    }
  });

  it('refuses anything else with ERR_INVALID_ARGUMENT, saying what was given', () => {
    const cases: [unknown, string][] = [
      ['', 'got ""'],
      ['x'.repeat(65), '(65 characters)'],
      ['has space', 'got "has space"'],
      ['é', 'got "é"'],
      ['a.b', 'got "a.b"'],
      [7, 'got number'],
      [undefined, 'got undefined'],
    ];
    for (const [id, detail] of cases) {
      expect(publisherIdProblem(id)).toContain(detail);
      let error: unknown;
      try {
        validatePublisherId(id, 'openPublication: publisherId');
      } catch (thrown) {
        error = thrown;
      }
      expect(SeamlessError.isInstance(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/^openPublication: publisherId must be 1 to 64 characters of A-Z a-z 0-9 _ -, got /);
    }
  });
});
