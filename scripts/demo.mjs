// `npm run demo [-- options]`: builds the trading demo and the packages it uses (turbo caches
// the result, so later runs take a moment), then starts it: a market-data feed, a trading
// algorithm and a live dashboard, each its own process, talking through Seamless. The
// launcher prints the dashboard's address; Ctrl-C stops everything.
// `npm run demo -- --help` lists the options (`--port 8080`, `--rate 4000`, `--algo-netns`...).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = fileURLToPath(new URL('../apps/demo/dist/launch.js', import.meta.url));

console.log('Seamless demo: building it and the packages it uses (the first time also compiles the shared-memory addon)...');
const build = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@seamless/demo...', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.error !== undefined || build.status !== 0) {
  console.error(`Seamless demo: the build failed (${build.error?.message ?? `exit code ${String(build.status)}`}); see the output above.`);
  process.exit(build.status === null || build.status === 0 ? 1 : build.status);
}
if (!existsSync(launcher)) {
  console.error(`Seamless demo: the build did not produce ${launcher}.`);
  process.exit(1);
}

const demo = spawn(process.execPath, [launcher, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the launcher directly (it shares the terminal's process group), and a signal
// sent to this script alone is passed on; either way, wait for the launcher to stop everything.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    demo.kill(signal);
  });
}
demo.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal === null ? 1 : (constants.signals[signal] ?? 1)));
});
