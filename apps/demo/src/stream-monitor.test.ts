import { describe, expect, it } from 'vitest';
import { StreamMonitor } from './stream-monitor.js';

const shm = { transport: 'shm', lost: 0 } as const;
const tcp = { transport: 'tcp', lost: 0 } as const;

describe('StreamMonitor', () => {
  it('measures rate, latency, transports, losses and malformed messages per window', () => {
    const monitor = new StreamMonitor(0);
    for (let index = 0; index < 50; index++) monitor.record(shm, 1000 * (index + 1));
    monitor.record({ transport: 'tcp', lost: 3 });
    monitor.recordMalformed();
    const window = monitor.takeWindow(1000);
    expect(window).toMatchObject({ rate: 51, active: true, transports: ['shm', 'tcp'], total: 51, lost: 3, malformed: 1 });
    expect(window.latency).toMatchObject({ count: 50, p50: 25_000, max: 50_000 });
  });

  it('averages the rate over the span and keeps the last latency while a slow stream is quiet', () => {
    const monitor = new StreamMonitor(0, { spanMs: 3000 });
    monitor.record(tcp, 2_000_000);
    monitor.takeWindow(1000);
    const quiet = monitor.takeWindow(2000);
    expect(quiet.active).toBe(false);
    expect(quiet.rate).toBeCloseTo(0.5);
    expect(quiet.transports).toEqual([]);
    expect(quiet.latency).toMatchObject({ count: 1, p50: 2_000_000 });
    monitor.takeWindow(3000);
    monitor.takeWindow(4000);
    // The window with the message has left the span.
    const later = monitor.takeWindow(5000);
    expect(later.rate).toBe(0);
    expect(later.latency).toBeNull();
    expect(later.total).toBe(1);
  });

  it('counts messages from history apart: in the total, not in the rate or the latency', () => {
    const monitor = new StreamMonitor(0);
    for (let index = 0; index < 8; index++) monitor.recordHistory(shm);
    const first = monitor.takeWindow(1000);
    expect(first).toMatchObject({ total: 8, fromHistory: 8, rate: 0, active: false, latency: null, transports: ['shm'] });
    monitor.record(shm, 40_000);
    expect(monitor.takeWindow(2000)).toMatchObject({ total: 9, fromHistory: 8, rate: 0.5, active: true, latency: { max: 40_000 } });
  });

  it('measures no latency for messages whose sender clock is not comparable', () => {
    const monitor = new StreamMonitor(0);
    monitor.record(tcp);
    expect(monitor.takeWindow(1000)).toMatchObject({ active: true, latency: null, rate: 1 });
  });
});
