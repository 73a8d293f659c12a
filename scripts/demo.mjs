// `npm run demo [-- options]`: builds the trading demo and the packages it uses (turbo caches
// the result, so later runs take a moment), then starts it: a market-data feed, a trading
// algorithm and a live dashboard, each its own process, talking through Seamless. The
// launcher prints the dashboard's address; Ctrl-C stops everything.
// `npm run demo -- --help` lists the options (`--port 8080`, `--rate 4000`, `--algo-netns`...).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = fileURLToPath(new URL('../apps/demo/dist/launch.js', import.meta.url));

// The build's own log is long (compiler, bundler tables): show a line per package as it
// starts and what the addon's compile says, keep the rest for a failure.
console.log('Seamless demo: building it and the packages it uses (the first time also compiles the shared-memory addon, ~15 s)...');
const startedAt = performance.now();
const status = await new Promise((resolve) => {
  const build = spawn('npx', ['turbo', 'run', 'build', '--filter=@seamless/demo...', '--output-logs=new-only', '--log-order=stream'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const progress = (line) => {
    const task = /^(@seamless\/[\w-]+):build: cache (miss|bypass|hit)/.exec(line);
    if (task !== null) console.log(`  ${task[1]}: ${task[2] === 'hit' ? 'up to date' : 'building...'}`);
    else if (/^@seamless\/shm-transport:build: shm-transport: /.test(line))
      console.log(`  ${line.replace(/^.*?shm-transport: /, '@seamless/shm-transport: ')}`);
  };
  for (const stream of [build.stdout, build.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log += `${line}\n`;
      progress(line);
    });
  }
  build.once('error', (error) => {
    console.error(`Seamless demo: cannot run the build (${error.message}).`);
    resolve(1);
  });
  build.once('close', (code) => {
    if (code !== 0) process.stderr.write(log);
    resolve(code ?? 1);
  });
});
if (status !== 0) {
  console.error(`Seamless demo: the build failed (exit code ${String(status)}); see the output above.`);
  process.exit(status);
}
console.log(`Seamless demo: built in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; starting it.`);
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
