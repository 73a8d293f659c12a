import { describe, expect, it } from 'vitest';
import { fabricatedReport } from '../../test/fabricated-report.js';
import { escapeXml, renderLatencyChart } from './svg.js';

// Checks that every element is closed in order (a small well-formedness check).
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') {
      if (stack.pop() !== name) return false;
    } else {
      stack.push(name);
    }
  }
  return stack.length === 0;
}

describe('renderLatencyChart', () => {
  const report = fabricatedReport();
  const svg = renderLatencyChart(report);

  it('is one well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(balanced(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('draws one panel per message size and one line per case in each', () => {
    for (const size of ['64 B messages', '1 KiB messages', '64 KiB messages']) expect(svg).toContain(`>${size}</text>`);
    expect(svg.match(/<polyline /g)).toHaveLength(3 * 3);
    // The baseline is dashed, in the panels and in the legend.
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(3 + 1);
  });

  it('keeps every point inside the picture', () => {
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
    for (const match of svg.matchAll(/points="([^"]+)"/g)) {
      for (const pair of (match[1] ?? '').split(' ')) {
        const [x, y] = pair.split(',').map(Number);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(height);
      }
    }
  });

  it('labels decades of microseconds and percentiles', () => {
    // Fabricated round trips lie between 5 µs and 23 µs: decades 1, 10 and 100 µs.
    expect(svg).toContain('>1 µs</text>');
    expect(svg).toContain('>10 µs</text>');
    expect(svg).toContain('>100 µs</text>');
    expect(svg).toContain('>99.9%</text>');
  });

  it('escapes case names in the legend', () => {
    expect(svg).toContain('zeromq.js &#60;ipc://&#62; &#38; co');
    expect(svg).not.toContain('<ipc://>');
  });

  it('draws no line for a case without round trips', () => {
    const chart = renderLatencyChart({ ...report, roundTrip: report.roundTrip.filter((entry) => entry.case !== 'zeromq-ipc') });
    expect(chart.match(/<polyline /g)).toHaveLength(2 * 3);
    expect(chart).not.toContain('zeromq.js');
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
