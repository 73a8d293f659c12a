import { describe, expect, it } from 'vitest';
import { HistoryDetector } from './history-detector.js';

describe('HistoryDetector', () => {
  it('takes what a publisher sent before the attachment for its history, per publisher', () => {
    const history = new HistoryDetector();
    history.attached('feed-a', 1000);
    history.attached('feed-b', 5000);
    expect(history.fromHistory('feed-a', 999)).toBe(true);
    expect(history.fromHistory('feed-a', 1000)).toBe(false);
    expect(history.fromHistory('feed-b', 4000)).toBe(true);
    expect(history.fromHistory('feed-b', 6000)).toBe(false);
  });

  it('forgets a publisher that went away, and starts over when it comes back', () => {
    const history = new HistoryDetector();
    history.attached('feed-a', 1000);
    history.detached('feed-a');
    expect(history.fromHistory('feed-a', 10)).toBe(false);
    history.attached('feed-a', 9000);
    expect(history.fromHistory('feed-a', 8000)).toBe(true);
  });
});
