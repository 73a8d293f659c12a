// Helpers of the demo's process tests: start the built processes (dist/) with a private
// registry and without multicast, find the dashboard, read its state, wait for conditions.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from '@seamless/test-support';
import type { SnapshotMessage, StreamRow } from '../src/dashboard-protocol.js';

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** A strategy that trades within a second or two, so tests see orders soon. */
export const QUICK_STRATEGY = ['--fast-ms', '200', '--slow-ms', '800', '--warmup-ms', '400', '--cooldown-ms', '300', '--band-bps', '0.5'];

/** Fails with what to do when the demo is not built. */
export function requireBuild(): void {
  for (const name of ['feed.js', 'algo.js', 'dashboard-server.js', 'launch.js', 'web/app.js']) {
    if (!existsSync(join(DIST, name))) {
      throw new Error(`apps/demo/dist/${name} is missing: build first with npx turbo run build --filter=@seamless/demo...`);
    }
  }
}

/**
 * A private registry directory (mode 0700), so the processes of a test see only each other,
 * never another test's or another session's publishers.
 */
export function privateRegistry(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'seamless-demo-test-'));
  chmodSync(path, 0o700);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Discovery on this host only (no multicast on the LAN), in `registry`. */
export function localEnvironment(registry: string): NodeJS.ProcessEnv {
  return { SEAMLESS_DEMO_LOCAL: '1', SEAMLESS_DEMO_REGISTRY: registry };
}

/** Starts `dist/<name>.js` with `--local-only --registry <registry>` (and the same environment). */
export function startProcess(name: 'feed' | 'algo' | 'dashboard-server' | 'launch', args: readonly string[], registry: string): Child {
  return Child.start(join(DIST, `${name}.js`), [...args, '--local-only', '--registry', registry], { env: localEnvironment(registry) });
}

/** Waits for a line of `child` that matches `pattern` and returns the match. */
export async function line(child: Child, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const message = await child.next<{ text: string }>(
    (candidate) => typeof candidate['text'] === 'string' && pattern.test(candidate['text']),
    timeoutMs,
  );
  const match = pattern.exec(message.text);
  if (match === null) throw new Error(`${String(pattern)} matched once but not twice: is it global?`);
  return match;
}

/** Waits until what `child` wrote on stderr matches `pattern`, and returns the match. */
export async function errorLine(child: Child, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.stderr);
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)} on stderr:\n${child.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The dashboard's address, from the line it prints when it listens. */
export async function dashboardUrl(child: Child): Promise<string> {
  return (await line(child, /http:\/\/127\.0\.0\.1:\d+\//))[0];
}

export async function snapshot(url: string): Promise<SnapshotMessage> {
  const response = await fetch(new URL('/api/snapshot', url));
  if (!response.ok) throw new Error(`GET /api/snapshot: ${response.status}`);
  return (await response.json()) as SnapshotMessage;
}

export function stream(state: SnapshotMessage, id: StreamRow['id']): StreamRow {
  const row = state.streams.find((candidate) => candidate.id === id);
  if (row === undefined) throw new Error(`no stream ${id} in the snapshot`);
  return row;
}

/**
 * Polls the dashboard's state until `accept` returns something other than `undefined` or
 * `false`, and returns it; fails after `timeoutMs` (a guard against hangs) with `what` and the
 * last state seen.
 */
export async function eventually<T>(
  url: string,
  what: string,
  accept: (state: SnapshotMessage) => T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const state = await snapshot(url);
      last = state;
      const result = state.streams.length === 0 ? undefined : accept(state);
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last, null, 1).slice(0, 3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` exists (a guard of `timeoutMs` against hangs). */
export async function gone(pids: readonly number[], timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}
