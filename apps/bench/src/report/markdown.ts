// The Markdown report: the machine and how it was loaded, then one table per measure and
// message size, every figure followed by its ratio against raw node:net TCP of the same run,
// then where Seamless over shared memory is not ahead of a peer, and by how much.
import { formatByteRate, formatMessageRate, formatMicroseconds, formatNanoseconds, formatRatio, formatSize, withRatio } from '../format.js';
import type { BenchReport, RoundTripEntry, ThroughputEntry } from '../results.js';
import { ratio } from '../statistics.js';

/** The shared-memory cases whose lead the closing note checks. */
const SHARED_MEMORY_CASES = ['seamless-shm-spin', 'seamless-shm-park'];

/** Whether a case is a peer (someone else's library), not Seamless. */
export function isPeer(caseName: string): boolean {
  return !caseName.startsWith('seamless');
}

/** How the processes were placed, in words. */
export function describePinning(cpus: readonly number[] | undefined): string {
  if (cpus === undefined || cpus.length === 0) return 'processes not pinned (the scheduler placed them)';
  if (cpus.length === 1) return `every process pinned to CPU ${cpus[0] ?? '?'} with taskset (one vCPU)`;
  const [first, ...rest] = cpus;
  return `pinned with taskset: the sending process on CPU ${first ?? '?'}, receivers on CPU ${rest.join(', ')}`;
}

/** Escapes text for Markdown: no HTML, no table cell breaks. */
export function escapeMarkdown(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function titleOf(report: BenchReport, caseName: string): string {
  return report.cases.find((description) => description.name === caseName)?.title ?? caseName;
}

function cell(figure: string, value: number, baseline: number | undefined, isBaseline: boolean): string {
  return withRatio(figure, ratio(value, baseline), isBaseline);
}

function roundTripTable(report: BenchReport, size: number, heading: string): string[] {
  const rows = report.roundTrip.filter((entry) => entry.size === size);
  if (rows.length === 0) return [];
  const base = rows.find((entry) => entry.case === report.baseline)?.summary;
  const lines = [
    `${heading} ${formatSize(size)}`,
    '',
    '| case | p50 | p99 | p99.9 | p50 of the runs (min–max) | CPU per round trip, ping side | echo side |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const entry of rows) {
    const { summary } = entry;
    const isBaseline = entry.case === report.baseline;
    lines.push(
      `| ${escapeMarkdown(titleOf(report, entry.case))} | ${[
        cell(formatMicroseconds(summary.p50), summary.p50, base?.p50, isBaseline),
        cell(formatMicroseconds(summary.p99), summary.p99, base?.p99, isBaseline),
        cell(formatMicroseconds(summary.p999), summary.p999, base?.p999, isBaseline),
        `${formatMicroseconds(summary.p50Min)} – ${formatMicroseconds(summary.p50Max)}`,
        cell(formatNanoseconds(summary.cpuPing), summary.cpuPing, base?.cpuPing, isBaseline),
        cell(formatNanoseconds(summary.cpuEcho), summary.cpuEcho, base?.cpuEcho, isBaseline),
      ].join(' | ')} |`,
    );
  }
  lines.push('');
  return lines;
}

function throughputTable(
  report: BenchReport,
  entries: readonly ThroughputEntry[],
  size: number,
  fanOut: boolean,
  heading: string,
): string[] {
  const rows = entries.filter((entry) => entry.size === size);
  if (rows.length === 0) return [];
  const base = rows.find((entry) => entry.case === report.baseline)?.summary;
  const subscribers = report.settings.fanOutSubscribers;
  const header = fanOut
    ? `| case | messages/s to each subscriber | bytes/s to each subscriber | deliveries/s, all ${subscribers} | CPU per message, publisher | each subscriber |`
    : '| case | messages/s | bytes/s | messages/s of the runs (min–max) | CPU per message, sender | receiver |';
  const lines = fanOut ? [] : [`${heading} ${formatSize(size)}`, ''];
  lines.push(header, '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const entry of rows) {
    const { summary } = entry;
    const isBaseline = entry.case === report.baseline;
    const third = fanOut
      ? cell(formatMessageRate(summary.messagesPerSecond * subscribers), summary.messagesPerSecond, base?.messagesPerSecond, isBaseline)
      : `${formatMessageRate(summary.rateMin)} – ${formatMessageRate(summary.rateMax)}`;
    lines.push(
      `| ${escapeMarkdown(titleOf(report, entry.case))} | ${[
        cell(formatMessageRate(summary.messagesPerSecond), summary.messagesPerSecond, base?.messagesPerSecond, isBaseline),
        cell(formatByteRate(summary.bytesPerSecond), summary.bytesPerSecond, base?.bytesPerSecond, isBaseline),
        third,
        cell(formatNanoseconds(summary.cpuSender), summary.cpuSender, base?.cpuSender, isBaseline),
        cell(formatNanoseconds(summary.cpuReceiver), summary.cpuReceiver, base?.cpuReceiver, isBaseline),
      ].join(' | ')} |`,
    );
  }
  lines.push('');
  return lines;
}

/**
 * Every figure where a shared-memory case of Seamless is behind the best peer (node:net,
 * zeromq.js): round-trip p50, p99 and p99.9 for each size, messages/s for each size and in
 * the fan-out. One line each, with the factor.
 */
export function shortfalls(report: BenchReport): string[] {
  const lines: string[] = [];
  const latency = (entries: readonly RoundTripEntry[], size: number): void => {
    const rows = entries.filter((entry) => entry.size === size);
    for (const [key, label] of [
      ['p50', 'p50'],
      ['p99', 'p99'],
      ['p999', 'p99.9'],
    ] as const) {
      const peers = rows.filter((entry) => isPeer(entry.case));
      const best = peers.reduce<RoundTripEntry | undefined>(
        (found, entry) => (found === undefined || entry.summary[key] < found.summary[key] ? entry : found),
        undefined,
      );
      if (best === undefined) continue;
      for (const name of SHARED_MEMORY_CASES) {
        const own = rows.find((entry) => entry.case === name);
        if (own === undefined || own.summary[key] <= best.summary[key]) continue;
        lines.push(
          `Round trip ${formatSize(size)} ${label}: ${titleOf(report, name)} ${formatMicroseconds(own.summary[key])}, ` +
            `${titleOf(report, best.case)} ${formatMicroseconds(best.summary[key])} ` +
            `(${formatRatio(own.summary[key] / best.summary[key])} as long).`,
        );
      }
    }
  };
  const rate = (entries: readonly ThroughputEntry[], size: number, what: string): void => {
    const rows = entries.filter((entry) => entry.size === size);
    const best = rows
      .filter((entry) => isPeer(entry.case))
      .reduce<ThroughputEntry | undefined>(
        (found, entry) => (found === undefined || entry.summary.messagesPerSecond > found.summary.messagesPerSecond ? entry : found),
        undefined,
      );
    if (best === undefined) return;
    for (const name of SHARED_MEMORY_CASES) {
      const own = rows.find((entry) => entry.case === name);
      if (own === undefined || own.summary.messagesPerSecond >= best.summary.messagesPerSecond) continue;
      lines.push(
        `${what}: ${titleOf(report, name)} ${formatMessageRate(own.summary.messagesPerSecond)}, ` +
          `${titleOf(report, best.case)} ${formatMessageRate(best.summary.messagesPerSecond)} ` +
          `(${formatRatio(own.summary.messagesPerSecond / best.summary.messagesPerSecond)} the rate).`,
      );
    }
  };
  for (const size of report.settings.roundTripSizes) latency(report.roundTrip, size);
  for (const size of report.settings.throughputSizes) rate(report.throughput, size, `Throughput ${formatSize(size)}`);
  rate(report.fanOut, report.settings.fanOutSize, `Fan-out ${formatSize(report.settings.fanOutSize)}`);
  return lines;
}

function loadAverages(values: readonly number[]): string {
  return values.map((value) => value.toFixed(2)).join(' ');
}

/**
 * The whole Markdown report of one run. `level` is the heading level of its title (2: `##`);
 * sections are one level below, tables per size two.
 */
export function renderMarkdown(report: BenchReport, level = 2): string {
  const { settings, machine } = report;
  const title = '#'.repeat(level);
  const section = '#'.repeat(level + 1);
  const table = '#'.repeat(level + 2);
  const when = `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const lines: string[] = [
    `${title} Seamless benchmark, ${when} (${settings.quick ? 'quick run' : 'full run'})`,
    '',
    `Node ${machine.node}, ${escapeMarkdown(machine.os)}, ${machine.vCpus} vCPUs (${escapeMarkdown(machine.cpuModel)}), ${machine.zeromq}; ` +
      `${describePinning(settings.cpus)}. ${settings.runs} runs of every measurement, each between fresh processes; ` +
      `the figures are medians of the runs. Each measurement: ${settings.warmupMs} ms of warm-up, then ` +
      `${settings.roundTripMs} ms of round trips or ${settings.throughputMs} ms of streaming per message size. ` +
      `The whole run took ${Math.round(report.elapsedSeconds)} s.`,
    '',
    `Machine state: load average (1, 5, 15 min) ${loadAverages(machine.loadAverageBefore)} before, ` +
      `${loadAverages(machine.loadAverageAfter)} after; during the run the vCPUs were ${machine.busyPercent.toFixed(0)}% busy ` +
      `(this benchmark included), other processes used ${machine.otherProcessesVcpus.toFixed(2)} vCPU on average, ` +
      `steal ${machine.stealPercent.toFixed(1)}%.`,
    '',
    `In parentheses: the figure divided by the same figure of raw node:net TCP (one write per message) in this run — ` +
      'for times and CPU below 1× is better, for rates above 1× is better. CPU is user + system time of the whole ' +
      'process (all threads) per message or round trip.',
    '',
  ];
  if (report.roundTrip.length > 0) {
    lines.push(`${section} Round trip (ping-pong between two processes, one message in flight)`, '');
    for (const size of settings.roundTripSizes) lines.push(...roundTripTable(report, size, table));
  }
  if (report.throughput.length > 0) {
    lines.push(`${section} One-way throughput (two processes, reliable: nothing dropped, back-pressure honoured)`, '');
    for (const size of settings.throughputSizes) lines.push(...throughputTable(report, report.throughput, size, false, table));
  }
  if (report.fanOut.length > 0) {
    lines.push(
      `${section} Fan-out: one publisher, ${settings.fanOutSubscribers} subscribers, ${formatSize(settings.fanOutSize)} messages`,
      '',
    );
    lines.push(...throughputTable(report, report.fanOut, settings.fanOutSize, true, table));
  }
  const behind = shortfalls(report);
  lines.push(`${section} Where Seamless over shared memory is not ahead`, '');
  const measured = [...report.roundTrip, ...report.throughput, ...report.fanOut].some((entry) => SHARED_MEMORY_CASES.includes(entry.case));
  if (!measured) {
    lines.push('No shared-memory case was measured in this run.', '');
  } else if (behind.length === 0) {
    lines.push('Nowhere: the shared-memory cases beat every peer on every round-trip percentile and every rate measured.', '');
  } else {
    for (const line of behind) lines.push(`- ${escapeMarkdown(line)}`);
    lines.push('');
  }
  if (report.failures.length > 0) {
    lines.push(`${section} Failures`, '');
    for (const failure of report.failures) {
      lines.push(
        `- run ${failure.run}, ${failure.case}, ${failure.measure} ${formatSize(failure.size)}: ${escapeMarkdown(failure.error.split('\n')[0] ?? '')}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
