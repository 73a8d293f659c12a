// The launcher (`npm run demo`): starts the feed, the algorithm and the dashboard as three
// processes, prints the dashboard's address, and stops them all on Ctrl-C. A process that dies
// is reported, not restarted; the others go on. With --algo-netns the algorithm runs in a
// network namespace of its own, so its streams travel over TCP beside the shared-memory ones.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { toArguments, usage } from './command-line.js';
import {
  ALGO_OPTIONS,
  DASHBOARD_OPTIONS,
  FEED_OPTIONS,
  LAUNCH_OPTIONS,
  parseDashboardOptions,
  parseLaunchOptions,
} from './demo-options.js';
import { createNetworkNamespace, networkNamespaceProblem } from './network-namespace.js';
import type { NetworkNamespace } from './network-namespace.js';
import { optionsOrExit, processLog } from './process-lifecycle.js';
import { SupervisedProcess } from './supervised-process.js';
import type { ProcessCommand, ProcessExit } from './supervised-process.js';

const USAGE = usage(
  'npm run demo --',
  'Starts the Seamless trading demo: a market-data feed, a trading algorithm and a live dashboard, each its own\n' +
    'process, talking through Seamless (shared memory on this host, TCP otherwise). Ctrl-C stops them all.\n' +
    'The options of the three processes are accepted here and handed to the process they belong to.',
  LAUNCH_OPTIONS,
);
const STOP_GRACE_MS = 6000;

const options = optionsOrExit(() => parseLaunchOptions(process.argv.slice(2), process.env), USAGE);
const log = processLog();
const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

let namespace: NetworkNamespace | undefined;
if (options.algoNetns) {
  const problem = networkNamespaceProblem();
  if (problem !== undefined) {
    log.error(`--algo-netns: ${problem}`);
    process.exit(2);
  }
  try {
    namespace = createNetworkNamespace(options.netnsName ?? `seamless-demo-${randomBytes(3).toString('hex')}`);
  } catch (error) {
    log.error(`--algo-netns: ${(error as Error).message}`);
    process.exit(1);
  }
  log.info(
    `launch: network namespace ${namespace.name} (${namespace.hostAddress} here <-> ${namespace.namespaceAddress} inside); ` +
      'the algorithm runs inside and reaches the others over TCP',
  );
}

const algoArguments = toArguments(options.values, ALGO_OPTIONS);
// Multicast cannot leave the namespace (it has no route out); the host registry finds the peers.
if (namespace !== undefined && !algoArguments.includes('--local-only')) algoArguments.push('--local-only');

const commands: ProcessCommand[] = [
  { name: 'feed', argv: [process.execPath, script('feed.js'), ...toArguments(options.values, FEED_OPTIONS)], color: 36 },
  { name: 'algo', argv: [...(namespace?.exec ?? []), process.execPath, script('algo.js'), ...algoArguments], color: 35 },
  {
    name: 'dashboard',
    argv: [process.execPath, script('dashboard-server.js'), ...toArguments(options.values, DASHBOARD_OPTIONS)],
    color: 33,
  },
];
// The dashboard's port as it listens (the one asked for, or the one `--port 0` got), for the
// command that restarts it: the open page reconnects to the same address.
let dashboardPort = parseDashboardOptions(toArguments(options.values, DASHBOARD_OPTIONS), process.env).port;

let stopping = false;
let firstSignalAt = 0;
const processes = commands.map((command) => SupervisedProcess.start(command));
log.info(`launch: started ${processes.map((child) => `${child.command.name} (pid ${String(child.pid)})`).join(', ')}`);

const dashboard = processes[2];
let announced = false;
dashboard?.onLine((line) => {
  const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
  if (match === null || announced) return;
  const url = match[0];
  announced = true;
  dashboardPort = Number(match[1]);
  const paths =
    namespace === undefined
      ? 'all streams over shared memory'
      : `feed -> dashboard over shared memory, the algorithm (in ${namespace.name}) over TCP`;
  log.info(['', `  Seamless trading demo: ${url}`, `  (${paths}; Ctrl-C stops everything)`, ''].join('\n'));
});

for (const child of processes) {
  void child.exited.then((exit) => {
    if (stopping) return;
    if (child === dashboard && !announced) {
      // Without its dashboard the demo shows nothing: its own message (above) says why, most
      // often a port in use.
      log.error(
        `launch: the dashboard could not start (it ${describeExit(exit)}); stopping. ` +
          `If its port is taken, choose another or let the system pick one: npm run demo -- --port 0`,
      );
      void stop('the dashboard did not start', 1);
      return;
    }
    log.error(
      `launch: ${child.command.name} ${describeExit(exit)}; the others keep running. ` +
        `Start it again by hand: ${restartCommand(child.command).map(quote).join(' ')}`,
    );
    if (processes.every((each) => !each.running)) void stop('every process has exited', 1);
  });
}

async function stop(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info(`launch: stopping (${reason})`);
  for (const child of processes) child.signal('SIGTERM');
  const timer = setTimeout(() => {
    for (const child of processes) {
      if (!child.running) continue;
      log.warn(`launch: ${child.command.name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
      child.signal('SIGKILL');
    }
  }, STOP_GRACE_MS);
  const exits = await Promise.all(processes.map((child) => child.exited));
  clearTimeout(timer);
  namespace?.remove();
  const unclean = processes.filter((_, index) => (exits[index]?.code ?? 1) !== 0).map((child) => child.command.name);
  log.info(`launch: all stopped${unclean.length === 0 ? '' : ` (${unclean.join(', ')} not cleanly)`}`);
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Ctrl-C reaches the launcher and its processes together; a second one a moment later
    // means "now": kill whatever is left.
    if (stopping) {
      if (Date.now() - firstSignalAt > 500) {
        log.warn('launch: killing what is left');
        for (const child of processes) child.signal('SIGKILL');
      }
      return;
    }
    firstSignalAt = Date.now();
    void stop(signal, 0);
  });
}
// Whatever happens, never leave the namespace behind.
process.on('exit', () => namespace?.remove());

// A process's command line to start it again by hand; the dashboard's names its port.
function restartCommand(command: ProcessCommand): readonly string[] {
  if (command.name !== 'dashboard') return command.argv;
  const argv = [...command.argv];
  const at = argv.indexOf('--port');
  if (at === -1) argv.push('--port', String(dashboardPort));
  else argv[at + 1] = String(dashboardPort);
  return argv;
}

function describeExit(exit: ProcessExit): string {
  return exit.signal === null ? `exited with code ${String(exit.code)}` : `was killed by ${exit.signal}`;
}

function quote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}
