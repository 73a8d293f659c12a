// The launcher (`npm run demo`): starts the three processes, prints the dashboard's address,
// stops them all on SIGINT, reports a process that dies without restarting it, leaves nothing
// behind when it is itself killed, and (as root) runs the algorithm in a network namespace of
// its own, where its streams travel over TCP.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, namespaceSkipReason } from '@seamless/test-support';
import type { Child } from '@seamless/test-support';
import {
  QUICK_STRATEGY,
  alive,
  errorLine,
  eventually,
  gone,
  line,
  privateRegistry,
  requireBuild,
  startProcess,
  stream,
} from './demo-processes.js';

const LAUNCH_ARGS = ['--port', '0', '--rate', '1000', ...QUICK_STRATEGY];

interface Launched {
  readonly launch: Child;
  readonly url: string;
  readonly pids: { readonly feed: number; readonly algo: number; readonly dashboard: number };
}

async function launch(registry: string, extra: readonly string[] = []): Promise<Launched> {
  const child = startProcess('launch', [...LAUNCH_ARGS, ...extra], registry);
  const started = await line(child, /launch: started feed \(pid (\d+)\), algo \(pid (\d+)\), dashboard \(pid (\d+)\)/);
  const url = (await line(child, /Seamless trading demo: (http:\/\/127\.0\.0\.1:\d+\/)/))[1] ?? '';
  return { launch: child, url, pids: { feed: Number(started[1]), algo: Number(started[2]), dashboard: Number(started[3]) } };
}

describe('the launcher', () => {
  let registry = { path: '', remove: (): void => undefined };

  beforeAll(() => {
    requireBuild();
    registry = privateRegistry();
  });

  afterEach(async () => {
    await killChildren();
  });

  afterAll(() => {
    registry.remove();
  });

  it('starts the three processes, prints the address, serves the page, and stops everything cleanly on SIGINT', async () => {
    const { launch: launcher, url, pids } = await launch(registry.path);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>Seamless');
    await eventually(url, 'prices and a running algorithm', (state) => state.quotes.length >= 8 && state.algo?.online === true);

    launcher.process.kill('SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    await line(launcher, /launch: all stopped$/);
    expect(await gone(Object.values(pids))).toBe(true);
    // Every process closed its bus: no advertisement is left in the registry.
    expect(readdirSync(registry.path)).toEqual([]);
  });

  it('reports a process that dies, restarts nothing, and keeps the others running', async () => {
    const { launch: launcher, url, pids } = await launch(registry.path);
    await eventually(url, 'a running algorithm', (state) => state.algo?.online === true);
    process.kill(pids.algo, 'SIGKILL');
    const report = await errorLine(
      launcher,
      /launch: algo was killed by SIGKILL; the others keep running\. Start it again by hand: (.*)$/m,
    );
    expect(report[1]).toContain('algo.js');
    await eventually(url, 'the dashboard to notice the algorithm is gone', (state) => state.algo?.online === false);
    expect(alive(pids.feed) && alive(pids.dashboard)).toBe(true);
    expect(launcher.process.exitCode).toBeNull();
    const state = await eventually(
      url,
      'ticks still flowing to the dashboard',
      (current) => stream(current, 'ticks-to-dashboard').state === 'live' && current,
    );
    expect(state.algo?.pid).toBe(pids.algo); // the last one seen: nothing was restarted

    launcher.process.kill('SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(await gone([pids.feed, pids.dashboard])).toBe(true);
  });

  it('a dashboard that dies is reported with a restart command naming the port it had', async () => {
    const { launch: launcher, url, pids } = await launch(registry.path);
    const port = new URL(url).port;
    process.kill(pids.dashboard, 'SIGKILL');
    const report = await errorLine(
      launcher,
      /launch: dashboard was killed by SIGKILL; the others keep running\. Start it again by hand: (.*)$/m,
    );
    expect(report[1]).toMatch(new RegExp(`dashboard-server\\.js .*--port ${port}(?: |$)`));
    launcher.process.kill('SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(await gone([pids.feed, pids.algo])).toBe(true);
  });

  it('stops everything with status 1 and says how to fix it when the dashboard cannot take its port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const launcher = startProcess('launch', ['--port', String(port), '--rate', '1000', ...QUICK_STRATEGY], registry.path);
      const started = await line(launcher, /launch: started feed \(pid (\d+)\), algo \(pid (\d+)\), dashboard \(pid (\d+)\)/);
      await errorLine(launcher, new RegExp(`port ${String(port)} on 127\\.0\\.0\\.1 is in use`));
      await errorLine(launcher, /launch: the dashboard could not start .*npm run demo -- --port 0/);
      expect(await launcher.exited).toEqual({ code: 1, signal: null });
      expect(await gone([Number(started[1]), Number(started[2]), Number(started[3])])).toBe(true);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('leaves no process behind when it is itself killed with SIGKILL', async () => {
    const { launch: launcher, url, pids } = await launch(registry.path);
    await eventually(url, 'a running algorithm', (state) => state.algo?.online === true);
    await launcher.kill('SIGKILL');
    // Each process sees its stdin (a pipe from the launcher) end, and stops.
    expect(await gone(Object.values(pids))).toBe(true);
  });
});

const skipReason = namespaceSkipReason();
if (skipReason !== undefined) console.log(`--algo-netns test skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('the launcher with --algo-netns (root)', () => {
  let registry = { path: '', remove: (): void => undefined };
  const name = `seamless-test-${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    requireBuild();
    registry = privateRegistry();
  });

  afterAll(async () => {
    await killChildren();
    try {
      execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    } catch {
      // Removed by the launcher, as it should be.
    }
    registry.remove();
  });

  it('runs the algorithm in its own namespace: its streams over TCP, feed to dashboard over shared memory; the namespace is removed on exit', async () => {
    const { launch: launcher, url, pids } = await launch(registry.path, ['--algo-netns', '--netns-name', name]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(name);
    const state = await eventually(url, 'the algorithm trading over TCP', (current) =>
      current.algo?.online === true && current.orders.length > 0 && stream(current, 'ticks-to-algo').state === 'live' ? current : undefined,
    );
    expect(state.algo?.sameNetNamespace).toBe(false);
    expect(stream(state, 'ticks-to-dashboard').transports).toEqual(['shm']);
    for (const id of ['ticks-to-algo', 'orders', 'fills', 'stats'] as const) expect(stream(state, id).transports, id).toEqual(['tcp']);

    launcher.process.kill('SIGINT');
    expect(await launcher.exited).toEqual({ code: 0, signal: null });
    expect(await gone(Object.values(pids))).toBe(true);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(name);
  });
});
