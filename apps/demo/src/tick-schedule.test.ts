import { describe, expect, it } from 'vitest';
import { TickSchedule } from './tick-schedule.js';

describe('TickSchedule', () => {
  it('releases exactly rate × elapsed messages however irregular the calls', () => {
    const schedule = new TickSchedule(4000, 1000);
    let sent = 0;
    const times = [1000, 1000.1, 1001, 1003.7, 1010, 1010, 1090, 1177.3, 1250];
    for (let now = 1250; now < 2000; now += 37.7) times.push(now);
    for (const now of [...times, 1999.9, 2000]) sent += schedule.due(now);
    expect(sent).toBe(4000);
  });

  it('releases nothing before its time', () => {
    const schedule = new TickSchedule(10, 0);
    expect(schedule.due(99)).toBe(0);
    expect(schedule.due(100)).toBe(1);
    expect(schedule.due(150)).toBe(0);
  });

  it('after a stall sends at most maxBurstMs worth, then carries on at the rate', () => {
    const schedule = new TickSchedule(1000, 0, 50);
    expect(schedule.due(5000)).toBe(50); // not 5000
    expect(schedule.due(5010)).toBe(10);
    expect(schedule.due(6010)).toBe(50); // another stall of a second
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TickSchedule(0, 0)).toThrow(RangeError);
  });
});
