import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './report/markdown.js';
import { renderLatencyChart } from './report/svg.js';
import type { BenchReport } from './results.js';

/** The app's results directory (apps/bench/results), from dist/ or src/. */
export function defaultResultsDirectory(): string {
  return fileURLToPath(new URL('../results/', import.meta.url));
}

/** The app's README, whose results section `--publish` replaces. */
export function readmePath(): string {
  return fileURLToPath(new URL('../README.md', import.meta.url));
}

export const RESULTS_BEGIN = '<!-- bench:results:begin -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/** The files one run wrote. */
export interface WrittenFiles {
  readonly json: string;
  readonly markdown: string;
  readonly svg: string;
}

/** A file name for the run: its start time, `-quick` for a quick run. */
export function runStamp(report: BenchReport): string {
  return `${report.startedAt.slice(0, 19).replace(/:/g, '-')}Z${report.settings.quick ? '-quick' : ''}`;
}

/**
 * Writes `<stamp>.json`, `<stamp>.md` and `<stamp>.svg` into `directory`, and copies them to
 * `latest.*`.
 */
export function writeResults(report: BenchReport, directory: string): WrittenFiles {
  mkdirSync(directory, { recursive: true });
  const stamp = runStamp(report);
  const files: WrittenFiles = {
    json: join(directory, `${stamp}.json`),
    markdown: join(directory, `${stamp}.md`),
    svg: join(directory, `${stamp}.svg`),
  };
  writeFileSync(files.json, `${JSON.stringify(report, undefined, 2)}\n`);
  writeFileSync(files.markdown, `${renderMarkdown(report)}\n![Round-trip time by percentile](${stamp}.svg)\n`);
  writeFileSync(files.svg, renderLatencyChart(report));
  copyFileSync(files.json, join(directory, 'latest.json'));
  writeFileSync(join(directory, 'latest.md'), `${renderMarkdown(report)}\n![Round-trip time by percentile](latest.svg)\n`);
  copyFileSync(files.svg, join(directory, 'latest.svg'));
  return files;
}

/** Replaces what lies between the results markers of `readme` with `section`. */
export function replaceResultsSection(readme: string, section: string): string {
  const begin = readme.indexOf(RESULTS_BEGIN);
  const end = readme.indexOf(RESULTS_END);
  if (begin < 0 || end < begin) throw new Error(`the README has no ${RESULTS_BEGIN} ... ${RESULTS_END} section`);
  return `${readme.slice(0, begin + RESULTS_BEGIN.length)}\n${section.trim()}\n${readme.slice(end)}`;
}

/**
 * `--publish`: writes `published.{json,md,svg}` into `directory` and the tables (with the
 * chart) into the README between its results markers.
 */
export function publishResults(report: BenchReport, directory: string, readme: string): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'published.json'), `${JSON.stringify(report, undefined, 2)}\n`);
  writeFileSync(join(directory, 'published.md'), `${renderMarkdown(report)}\n![Round-trip time by percentile](published.svg)\n`);
  writeFileSync(join(directory, 'published.svg'), renderLatencyChart(report));
  const section = `${renderMarkdown(report, 3)}\n\n![Round-trip time by percentile](results/published.svg)`;
  writeFileSync(readme, replaceResultsSection(readFileSync(readme, 'utf8'), section));
}
