// `npm run build:bench-native`, and the package's `npm run build` after the prebuild: compiles
// the benchmarks' addon, seamless_shm_bench (the C++ ring and the futex waiter, bench/native/),
// as bench/build/seamless_shm_bench.addon (see binding.gyp). Only the benchmarks and the
// cross-implementation tests load it; it is not part of the package (the production addon is
// the prebuild, see prebuild.mjs). It goes through node-gyp's build/ like any build: a later
// `npm run build:native` compiles the production addon afresh there, and leaves this one be.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const output = `${packageRoot}bench/build/seamless_shm_bench.addon`;
console.log('shm-transport: compiling the benchmarks’ addon (node-gyp, seamless_bench=true)...');
const result = spawnSync('node-gyp', ['rebuild', '--seamless_bench=true'], {
  cwd: packageRoot,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (result.error !== undefined || result.status !== 0 || !existsSync(output)) {
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  console.error(
    `shm-transport: the benchmarks’ addon did not build (${result.error?.message ?? `exit code ${String(result.status)}`}); it needs python3, make and a C++17 compiler`,
  );
  process.exit(1);
}
console.log(`shm-transport: ${output}`);
