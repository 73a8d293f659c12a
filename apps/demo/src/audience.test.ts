import { describe, expect, it } from 'vitest';
import { Audience } from './audience.js';
import type { AudienceChange } from './audience.js';

const dashboard = { transport: 'shm', pid: 4242, hostname: 'trader-1' } as const;
const remote = { transport: 'tcp', pid: 4242, hostname: 'trader-2' } as const;

describe('Audience', () => {
  it('reports a subscriber process once when it attaches to its first topic, once when it leaves its last', () => {
    const changes: AudienceChange[] = [];
    const audience = new Audience((change) => changes.push(change));
    for (const symbol of ['AAPL', 'MSFT', 'NVDA']) audience.added(`md.${symbol}`, { ...dashboard, id: `shm-${symbol}` });
    expect(changes).toEqual([{ type: 'joined', subscriber: 'pid 4242 on trader-1 over shm', size: 1 }]);
    // The same pid on another host is another subscriber.
    audience.added('md.AAPL', { ...remote, id: 'tcp-1' });
    expect(audience.size).toBe(2);
    audience.removed('md.AAPL', { ...dashboard, id: 'shm-AAPL' });
    audience.removed('md.MSFT', { ...dashboard, id: 'shm-MSFT' });
    expect(changes).toHaveLength(2);
    audience.removed('md.NVDA', { ...dashboard, id: 'shm-NVDA' });
    expect(changes.at(-1)).toEqual({ type: 'left', subscriber: 'pid 4242 on trader-1 over shm', size: 1 });
    // A removal it never saw the addition of changes nothing.
    audience.removed('md.AAPL', { ...remote, id: 'tcp-unknown' });
    expect(audience.size).toBe(1);
  });

  it('counts a subscriber whose process is unknown once per attachment', () => {
    const changes: AudienceChange[] = [];
    const audience = new Audience((change) => changes.push(change));
    audience.added('md.AAPL', { transport: 'shm', id: 'a' });
    audience.added('md.MSFT', { transport: 'shm', id: 'a' });
    expect(audience.size).toBe(2);
    expect(changes[0]?.subscriber).toBe('subscriber a over shm');
  });
});
