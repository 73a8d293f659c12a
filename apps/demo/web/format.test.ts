import { describe, expect, it } from 'vitest';
import * as format from './format.js';

describe('page formats', () => {
  it('formats latency in the unit that reads best', () => {
    expect(format.latency(850)).toBe('850 ns');
    expect(format.latency(12_345)).toBe('12.3 µs');
    expect(format.latency(345_000)).toBe('345 µs');
    expect(format.latency(3_100_000)).toBe('3.1 ms');
    expect(format.latency(2_000_000_000)).toBe('2.0 s');
  });

  it('formats money, prices and changes with signs and separators', () => {
    expect(format.money(1234.567)).toBe('+$1,234.57');
    expect(format.money(-87.1)).toBe('−$87.10');
    expect(format.money(0)).toBe('$0.00');
    expect(format.price(1234.5)).toBe('1,234.50');
    expect(format.percent(-0.456)).toBe('−0.46%');
    expect(format.rate(4012.4)).toBe('4,012');
    expect(format.rate(2.04)).toBe('2.0');
    expect(format.duration(3725)).toBe('1h 02m');
    expect(format.duration(65)).toBe('1m 05s');
  });
});
