// Runs a benchmark written in TypeScript against the package's sources: bundles
// bench/<name>.ts with esbuild into .bench/ (inside the package, so the addon is found the
// same way as from dist/) and runs it with the remaining arguments.
// Usage: node bench/run.mjs ring-bench [--runs 5] [--pin] [--json]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name = 'ring-bench', ...rest] = process.argv.slice(2);
const outfile = join(packageRoot, '.bench', `${name}.mjs`);
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(packageRoot, 'bench', `${name}.ts`)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@seamless/source'],
  external: ['node-gyp-build'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, [outfile, ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
