// `npm run bench [-- options]` (scripts/bench.mjs builds, then runs this): the coordinator.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { ALL_CASES, BASELINE_CASE } from './cases/catalog.js';
import { USAGE, UsageError, parseOptions } from './options.js';
import type { BenchOptions } from './options.js';
import { Progress, clock } from './progress.js';
import { describePinning, renderMarkdown } from './report/markdown.js';
import { plannedSeconds } from './bench-plan.js';
import { peerScript, runBench } from './run-bench.js';
import { defaultResultsDirectory, publishResults, readmePath, writeResults } from './write-results.js';

function parse(): BenchOptions {
  try {
    const options = parseOptions(process.argv.slice(2), {
      caseNames: ALL_CASES.map((benchCase) => benchCase.name),
      baseline: BASELINE_CASE,
      cpuCount: cpus().length,
    });
    if (options.publish && options.quick) throw new UsageError('--publish publishes full runs only (drop --quick)');
    return options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
}

const options = parse();
if (options.help) {
  const names = ALL_CASES.map((benchCase) => `  ${benchCase.name.padEnd(20)} ${benchCase.title}`).join('\n');
  process.stdout.write(`${USAGE}\n${names}\n`);
  process.exit(0);
}
if (!existsSync(peerScript())) {
  process.stderr.write('bench: dist/peer.js is missing: build first (npx turbo run build --filter=@seamless/bench...)\n');
  process.exit(2);
}

const cases = ALL_CASES.filter((benchCase) => options.cases.includes(benchCase.name));
const planned = plannedSeconds(options, cases);
process.stderr.write(
  `Seamless bench: ${cases.length} cases, ${options.measures.join(', ')}, ${options.runs} runs, ` +
    `${describePinning(options.cpus)}; about ${clock(planned)}.\n`,
);
const progress = new Progress(planned);
const report = await runBench(options, cases, progress);
const directory = options.outDirectory ?? defaultResultsDirectory();
const files = writeResults(report, directory);
if (options.publish) publishResults(report, directory, readmePath());
process.stdout.write(`\n${renderMarkdown(report)}\n`);
process.stderr.write(
  `Wrote ${files.json}, ${files.markdown} and ${files.svg}${options.publish ? ', results/published.* and README.md' : ''} ` +
    `(${Math.round(report.elapsedSeconds)} s).\n`,
);
if (report.failures.length > 0) {
  process.stderr.write(`bench: ${report.failures.length} measurements failed (listed in the report).\n`);
  process.exitCode = 1;
}
