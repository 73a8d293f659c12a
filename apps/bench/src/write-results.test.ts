import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fabricatedReport } from '../test/fabricated-report.js';
import { RESULTS_BEGIN, RESULTS_END, publishResults, replaceResultsSection, runStamp, writeResults } from './write-results.js';

const directories: string[] = [];
function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'seamless-bench-test-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('writeResults', () => {
  it('writes the JSON, the Markdown and the chart of a run, and the latest copies', () => {
    const report = fabricatedReport();
    const directory = temporaryDirectory();
    const files = writeResults(report, directory);
    expect(readdirSync(directory).sort()).toEqual(
      ['2025-01-02T03-04-05Z.json', '2025-01-02T03-04-05Z.md', '2025-01-02T03-04-05Z.svg', 'latest.json', 'latest.md', 'latest.svg'].sort(),
    );
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
    expect(readFileSync(files.markdown, 'utf8')).toContain('![Round-trip time by percentile](2025-01-02T03-04-05Z.svg)');
    expect(readFileSync(join(directory, 'latest.md'), 'utf8')).toContain('](latest.svg)');
    expect(readFileSync(files.svg, 'utf8').startsWith('<svg')).toBe(true);
  });
});

describe('runStamp', () => {
  it('names a run by its start time, marking quick runs', () => {
    const report = fabricatedReport();
    expect(runStamp(report)).toBe('2025-01-02T03-04-05Z');
    expect(runStamp({ ...report, settings: { ...report.settings, quick: true } })).toBe('2025-01-02T03-04-05Z-quick');
  });
});

describe('publishing', () => {
  it('replaces only what lies between the markers', () => {
    const readme = `# Title\n\nintro\n\n${RESULTS_BEGIN}\nold table\n${RESULTS_END}\n\nafter\n`;
    expect(replaceResultsSection(readme, 'new table\n')).toBe(`# Title\n\nintro\n\n${RESULTS_BEGIN}\nnew table\n${RESULTS_END}\n\nafter\n`);
    expect(() => replaceResultsSection('# no markers\n', 'x')).toThrow(/no <!-- bench:results:begin -->/);
  });

  it('writes published.* and the tables, one level down, with the chart, into the README', () => {
    const directory = temporaryDirectory();
    const readme = join(directory, 'README.md');
    writeFileSync(readme, `# Bench\n\n## Results\n\n${RESULTS_BEGIN}\n${RESULTS_END}\n`);
    publishResults(fabricatedReport(), directory, readme);
    expect(readdirSync(directory).sort()).toEqual(['README.md', 'published.json', 'published.md', 'published.svg']);
    const text = readFileSync(readme, 'utf8');
    expect(text).toContain(`${RESULTS_BEGIN}\n### Seamless benchmark, 2025-01-02 03:04 UTC (full run)`);
    expect(text).toContain('![Round-trip time by percentile](results/published.svg)');
  });
});
