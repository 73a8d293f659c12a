// `npm run build` and `npm pack`/`npm publish` (prepack) of @seamless/shm-transport: makes the
// N-API prebuild of the addon for this platform with prebuildify, into
// prebuilds/<platform>-<arch>/@seamless+shm-transport.<libc>.node, where node-gyp-build finds
// it at run time. The package has no install script: its users never compile, and a release
// ships one prebuild per platform (made by the release workflow on each, see the root README).
// `--if-missing` (prepack) keeps a prebuild already made by the build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const folder = `${packageRoot}prebuilds/${process.platform}-${process.arch}`;
const present = existsSync(folder) && readdirSync(folder).some((name) => name.endsWith('.node'));
if (process.argv.includes('--if-missing') && present) {
  console.log(`shm-transport: prebuild present in ${folder}`);
  process.exit(0);
}
console.log(`shm-transport: compiling the addon for ${process.platform}-${process.arch} (prebuildify, N-API)...`);
// N-API is stable across Node.js versions: one build, made against this Node's headers, serves
// every later release. --tag-libc names glibc or musl so that node-gyp-build on Alpine does not
// pick a glibc build. --strip drops the debugging symbols.
const result = spawnSync('prebuildify', ['--napi', '--strip', '--tag-libc', '--target', process.versions.node], {
  cwd: packageRoot,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (result.error !== undefined || result.status !== 0) {
  // node-gyp's log is long and only of use when the compile failed.
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  console.error(
    `shm-transport: prebuildify failed (${result.error?.message ?? `exit code ${String(result.status)}`}); it needs python3, make and a C++17 compiler`,
  );
  process.exit(1);
}
console.log(`shm-transport: ${readdirSync(folder).join(', ')} in ${folder}`);
