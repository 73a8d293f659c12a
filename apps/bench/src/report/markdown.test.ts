import { describe, expect, it } from 'vitest';
import { fabricatedReport } from '../../test/fabricated-report.js';
import type { BenchReport } from '../results.js';
import { describePinning, isPeer, renderMarkdown, shortfalls } from './markdown.js';

function rowOf(markdown: string, heading: string, title: string): string[] {
  const section = markdown.slice(markdown.indexOf(heading));
  const row = section.split('\n').find((line) => line.startsWith(`| ${title} |`));
  if (row === undefined) throw new Error(`no row "${title}" after "${heading}"`);
  return row.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, ''));
}

describe('renderMarkdown', () => {
  const report = fabricatedReport();
  const markdown = renderMarkdown(report);

  it('puts the ratio against node:net TCP beside each round-trip figure', () => {
    // Median run: shm samples 11..12 µs (p50 11.499 µs), node:net 21..22 µs (p50 21.499 µs).
    const shm = rowOf(markdown, '#### 64 B', "Seamless, shared memory, default 'park'");
    expect(shm[1]).toBe('11.5 µs (0.53×)');
    const baseline = rowOf(markdown, '#### 64 B', 'node:net TCP, one write per message');
    expect(baseline[1]).toBe('21.5 µs (1×)');
    // The spread of p50 over the three runs, and CPU per round trip with its ratio (same CPU: 1×).
    expect(shm[4]).toBe('10.5 µs – 12.5 µs');
    expect(shm[5]).toBe('2.00 µs (1.00×)');
  });

  it('puts the ratio beside each rate, bytes/s and CPU figure', () => {
    const shm = rowOf(markdown, 'One-way throughput', "Seamless, shared memory, default 'park'");
    expect(shm[1]).toBe('2.00 Mmsg/s (2.00×)');
    expect(shm[2]).toBe('128 MB/s (2.00×)');
    expect(shm[3]).toBe('1.00 Mmsg/s – 4.00 Mmsg/s');
    expect(shm[4]).toBe('250 ns (0.50×)');
    const zeromq = rowOf(markdown, 'One-way throughput', 'zeromq.js &lt;ipc://&gt; &amp; co');
    expect(zeromq[1]).toBe('500 kmsg/s (0.50×)');
  });

  it('reports the fan-out per subscriber and for all subscribers', () => {
    const shm = rowOf(markdown, 'Fan-out', "Seamless, shared memory, default 'park'");
    expect(shm[1]).toBe('400 kmsg/s (4.00×)');
    expect(shm[3]).toBe('1.60 Mmsg/s (4.00×)');
  });

  it('states the machine, its load and the pinning', () => {
    expect(markdown).toContain('2 vCPUs (Test CPU &lt;fast&gt; &amp; cheap)');
    expect(markdown).toContain('load average (1, 5, 15 min) 0.10 0.20 0.30 before, 1.50 0.90 0.40 after');
    expect(markdown).toContain('other processes used 0.05 vCPU on average, steal 0.2%');
    expect(markdown).toContain('pinned with taskset: the sending process on CPU 0, receivers on CPU 1');
    expect(markdown).toContain('3 runs of every measurement');
  });

  it('says where a peer is ahead of Seamless over shared memory, and by how much', () => {
    const lines = shortfalls(report);
    // zeromq.js is fabricated 2× faster at p50 in round trips; Seamless leads every rate.
    expect(lines).toContain(
      "Round trip 64 B p50: Seamless, shared memory, default 'park' 11.5 µs, zeromq.js <ipc://> & co 6.50 µs (1.77× as long).",
    );
    expect(lines.filter((line) => line.startsWith('Round trip'))).toHaveLength(9);
    expect(lines.some((line) => line.startsWith('Throughput') || line.startsWith('Fan-out'))).toBe(false);
    expect(markdown).toContain('### Where Seamless over shared memory is not ahead');
  });

  it('says "nowhere" when Seamless over shared memory leads everything', () => {
    const leading: BenchReport = { ...report, roundTrip: report.roundTrip.filter((entry) => entry.case !== 'zeromq-ipc') };
    expect(shortfalls(leading)).toEqual([]);
    expect(renderMarkdown(leading)).toContain('Nowhere: the shared-memory cases beat every peer');
  });

  it('lists failures', () => {
    const failed: BenchReport = {
      ...report,
      failures: [{ run: 2, case: 'zeromq-ipc', measure: 'fan-out', size: 64, error: 'peer exited (SIGKILL)\nstack' }],
    };
    expect(renderMarkdown(failed)).toContain('- run 2, zeromq-ipc, fan-out 64 B: peer exited (SIGKILL)');
  });

  it('nests its headings under the level asked for', () => {
    const nested = renderMarkdown(report, 3);
    expect(nested.startsWith('### Seamless benchmark, 2025-01-02 03:04 UTC (full run)')).toBe(true);
    expect(nested).toContain('\n#### Round trip');
    expect(nested).toContain('\n##### 64 KiB');
  });
});

describe('describePinning', () => {
  it('describes no pinning, one CPU and two CPUs', () => {
    expect(describePinning(undefined)).toBe('processes not pinned (the scheduler placed them)');
    expect(describePinning([1])).toBe('every process pinned to CPU 1 with taskset (one vCPU)');
    expect(describePinning([0, 1])).toBe('pinned with taskset: the sending process on CPU 0, receivers on CPU 1');
  });
});

describe('isPeer', () => {
  it('tells the other libraries from Seamless', () => {
    expect(isPeer('net-unix-batched')).toBe(true);
    expect(isPeer('zeromq-tcp')).toBe(true);
    expect(isPeer('seamless-tcp')).toBe(false);
  });
});
