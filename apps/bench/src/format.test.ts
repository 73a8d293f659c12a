import { describe, expect, it } from 'vitest';
import { formatByteRate, formatMessageRate, formatMicroseconds, formatNanoseconds, formatRatio, formatSize, withRatio } from './format.js';

describe('formatting', () => {
  it('writes sizes', () => {
    expect([64, 1024, 4096, 65536, 1000].map(formatSize)).toEqual(['64 B', '1 KiB', '4 KiB', '64 KiB', '1000 B']);
  });

  it('writes durations with three significant digits', () => {
    expect(formatMicroseconds(312)).toBe('0.31 µs');
    expect(formatMicroseconds(12_345)).toBe('12.3 µs');
    expect(formatMicroseconds(4_411_000)).toBe('4411 µs');
    expect(formatNanoseconds(85.4)).toBe('85 ns');
    expect(formatNanoseconds(1250)).toBe('1.25 µs');
    expect(formatNanoseconds(25_000_000)).toBe('25.0 ms');
    expect(formatNanoseconds(Number.NaN)).toBe('—');
  });

  it('writes rates with metric prefixes', () => {
    expect(formatMessageRate(4_440_000)).toBe('4.44 Mmsg/s');
    expect(formatMessageRate(334_000)).toBe('334 kmsg/s');
    expect(formatByteRate(8.9e9)).toBe('8.90 GB/s');
    expect(formatByteRate(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('writes ratios, and marks the baseline', () => {
    expect(formatRatio(0.0123)).toBe('0.01×');
    expect(formatRatio(19.26)).toBe('19.3×');
    expect(formatRatio(undefined)).toBe('—');
    expect(withRatio('1 µs', 0.5, false)).toBe('1 µs (0.50×)');
    expect(withRatio('1 µs', undefined, true)).toBe('1 µs (1×)');
    expect(withRatio('—', 2, false)).toBe('—');
  });
});
