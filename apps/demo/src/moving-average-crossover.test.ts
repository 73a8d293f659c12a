import { describe, expect, it } from 'vitest';
import { MovingAverageCrossover } from './moving-average-crossover.js';
import type { Trend } from './moving-average-crossover.js';

const settings = { fastMs: 1000, slowMs: 4000, bandBps: 2, warmupMs: 2000 };

// Feeds `price(t)` every `stepMs` from `fromMs` to `toMs` and returns the trends seen.
function feed(crossover: MovingAverageCrossover, price: (timeMs: number) => number, fromMs: number, toMs: number, stepMs = 10): Trend[] {
  const trends: Trend[] = [];
  for (let time = fromMs; time <= toMs; time += stepMs) trends.push(crossover.update(price(time), time));
  return trends;
}

describe('MovingAverageCrossover', () => {
  it('reports nothing during the warm-up, then the trend of a rising price', () => {
    const crossover = new MovingAverageCrossover(settings);
    const trends = feed(crossover, (time) => 100 * (1 + time / 100_000), 0, 6000);
    expect(trends.slice(0, 190).every((trend) => trend === 0)).toBe(true);
    expect(crossover.trend).toBe(1);
    expect(crossover.fast).toBeGreaterThan(crossover.slow);
  });

  it('turns down after a golden cross when the price turns (a death cross)', () => {
    const crossover = new MovingAverageCrossover(settings);
    const price = (time: number): number => (time < 8000 ? 100 + time / 1000 : 108 - (time - 8000) / 1000);
    const trends = feed(crossover, price, 0, 20_000);
    const changes = trends.filter((trend, index) => index > 0 && trend !== trends[index - 1]);
    expect(changes).toEqual([1, -1]);
  });

  it('does not flip on noise inside the band (hysteresis)', () => {
    const crossover = new MovingAverageCrossover({ ...settings, bandBps: 50 });
    // ±0.1% wiggles around 100: far inside a 0.5% band.
    const trends = feed(crossover, (time) => 100 + 0.1 * Math.sin(time / 300), 0, 30_000);
    expect(new Set(trends)).toEqual(new Set([0]));
  });

  it('does not depend on how often prices come: time constants, not tick counts', () => {
    const price = (time: number): number => 100 + Math.sin(time / 3000) * 2;
    const sparse = new MovingAverageCrossover(settings);
    const dense = new MovingAverageCrossover(settings);
    feed(sparse, price, 0, 9000, 50);
    feed(dense, price, 0, 9000, 1);
    expect(sparse.fast).toBeCloseTo(dense.fast, 1);
    expect(sparse.slow).toBeCloseTo(dense.slow, 1);
  });

  it('starts over after reset()', () => {
    const crossover = new MovingAverageCrossover(settings);
    feed(crossover, (time) => 100 + time / 1000, 0, 6000);
    expect(crossover.trend).toBe(1);
    crossover.reset();
    expect(crossover.trend).toBe(0);
    expect(crossover.update(50, 7000)).toBe(0);
    expect(crossover.fast).toBe(50);
  });

  it('refuses settings that make no sense', () => {
    expect(() => new MovingAverageCrossover({ ...settings, fastMs: 5000 })).toThrow(RangeError);
    expect(() => new MovingAverageCrossover({ ...settings, bandBps: -1 })).toThrow(RangeError);
  });
});
