import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RouteLog } from './route-log.js';

const route = (topic: string, transport = 'shm') => ({ topic, publisherId: `p-${topic}`, transport, reason: 'same host' });

describe('RouteLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a line per burst and group, naming a few topics and counting the rest', () => {
    const lines: string[] = [];
    let publishers = 0;
    const log = new RouteLog('algo: md.>', (line) => lines.push(line), { maxTopics: 2, publishers: () => publishers });
    for (const symbol of ['AAPL', 'MSFT', 'NVDA']) {
      log.added(route(`md.${symbol}`));
      publishers++;
    }
    log.added(route('md.TSLA', 'tcp'));
    publishers++;
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(lines).toEqual([
      'algo: md.> +3 over shm (same host): md.AAPL md.MSFT and 1 more; 4 publishers',
      'algo: md.> +1 over tcp (same host): md.TSLA; 4 publishers',
    ]);
    log.removed(route('md.AAPL'), 'its process died');
    publishers--;
    log.flush();
    expect(lines.at(-1)).toBe('algo: md.> -1 (its process died): md.AAPL; 3 publishers');
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(3);
  });

  it('writes nothing after close', () => {
    const lines: string[] = [];
    const log = new RouteLog('x', (line) => lines.push(line), { publishers: () => 0 });
    log.added(route('md.AAPL'));
    log.close();
    vi.advanceTimersByTime(1000);
    expect(lines).toEqual([]);
  });
});
