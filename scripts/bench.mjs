// `npm run bench [-- options]`: builds the benchmark and what it depends on (turbo, cached),
// then runs it with the given options. `npm run bench -- --help` lists them; the results go to
// apps/bench/results/ (see apps/bench/README.md).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const options = process.argv.slice(2);

if (!options.includes('--help') && !options.includes('-h')) {
  process.stderr.write('bench: building @seamless/bench and its dependencies...\n');
  const build = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@seamless/bench...', '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) {
    process.stderr.write('bench: the build failed (run `npx turbo run build --filter=@seamless/bench...` to see why)\n');
    process.exit(build.status ?? 1);
  }
}
const run = spawnSync(process.execPath, [join(root, 'apps/bench/dist/main.js'), ...options], { cwd: root, stdio: 'inherit' });
if (run.error !== undefined) {
  process.stderr.write(`bench: ${run.error.message}\n`);
  process.exit(1);
}
process.exit(run.status ?? 1);
