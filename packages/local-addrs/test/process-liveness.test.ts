import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Child, containerSkipReason, containerWrapper, killChildren } from '@seamless/test-support';
import { ProcessMonitor, probePresence, processLiveness, removeDeadPresence } from '../src/index.js';
import type { ProcessIdentity } from '../src/index.js';

const holderScript = fileURLToPath(new URL('./fixtures/presence-holder.mjs', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'seamless-presence-'));
const location = { directory };

interface Ready {
  identity: ProcessIdentity;
  path: string;
}

async function startHolder(wrapper?: string[]): Promise<{ child: Child; ready: Ready }> {
  const child = Child.start(holderScript, [JSON.stringify({ directory })], wrapper === undefined ? {} : { wrapper });
  const ready = await child.next<Ready>((message) => message['type'] === 'ready');
  return { child, ready };
}

// Polls a condition that another process makes true (a death seen through the kernel); the
// deadline only guards against a hang.
async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const withoutPresence = (identity: ProcessIdentity): ProcessIdentity => ({ ...identity, presence: '', presenceDevice: 0 });

describe.runIf(process.platform === 'linux')('process liveness across processes', () => {
  afterEach(async () => {
    await killChildren();
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('a holder is alive by presence and by pid; after kill -9 both say dead, and its pipe can be removed', async () => {
    const { child, ready } = await startHolder();
    expect(statSync(ready.path).isFIFO()).toBe(true);
    expect(probePresence(ready.identity.presence, location)).toBe('alive');
    expect(processLiveness(ready.identity, location)).toBe('alive');
    expect(processLiveness(withoutPresence(ready.identity), location)).toBe('alive');
    expect(removeDeadPresence(ready.identity.presence, location)).toBe(false);
    await child.kill('SIGKILL');
    expect(probePresence(ready.identity.presence, location)).toBe('dead');
    expect(processLiveness(ready.identity, location)).toBe('dead');
    expect(processLiveness(withoutPresence(ready.identity), location)).toBe('dead');
    expect(removeDeadPresence(ready.identity.presence, location)).toBe(true);
    // Gone from a directory this process shares with it (same device): still dead.
    expect(probePresence(ready.identity.presence, location)).toBe('absent');
    expect(processLiveness(ready.identity, location)).toBe('dead');
  });

  it('a normal exit removes the pipe', async () => {
    const { child, ready } = await startHolder();
    child.send('exit');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(readdirSync(directory).filter((name) => name.includes(ready.identity.presence))).toEqual([]);
    expect(processLiveness(ready.identity, location)).toBe('dead');
  });

  it('a zombie (killed, never reaped) is dead, by presence and by pid alike', async () => {
    // The shell runs the holder in the background and becomes `sleep`, which never reaps it.
    const { ready } = await startHolder(['sh', '-c', '"$@" & exec sleep 1000', 'sh']);
    process.kill(ready.identity.pid, 'SIGKILL');
    await eventually(() => readFileSync(`/proc/${ready.identity.pid}/stat`, 'latin1').includes(') Z '));
    expect(processLiveness(withoutPresence(ready.identity), location)).toBe('dead');
    // The pipe is released when the last thread of the process has exited, which may be a
    // moment after the leader shows up as a zombie.
    await eventually(() => processLiveness(ready.identity, location) === 'dead');
  });

  it('one sweep notices the death of a watched holder and tells every watcher once', async () => {
    const { child, ready } = await startHolder();
    const monitor = new ProcessMonitor({ intervalMs: 20, liveness: (identity) => processLiveness(identity, location) });
    const deaths: string[] = [];
    monitor.watch(ready.identity, () => deaths.push('first'));
    monitor.watch({ ...ready.identity }, () => deaths.push('second'));
    expect(monitor.watchedProcesses).toBe(1);
    await child.kill('SIGKILL');
    await eventually(() => deaths.length === 2);
    expect(deaths.sort()).toEqual(['first', 'second']);
    expect(monitor.watchedProcesses).toBe(0);
    monitor.close();
  });

  const containers = containerSkipReason();
  if (containers !== undefined) console.log(`skipping the PID-namespace liveness test: ${containers}`);

  it.skipIf(containers !== undefined)('a holder in another PID namespace: its pid means nothing here, its presence does', async () => {
    const { child, ready } = await startHolder(containerWrapper({ pid: true }));
    expect(ready.identity.pid).toBe(1);
    expect(processLiveness(ready.identity, location)).toBe('alive');
    expect(processLiveness(withoutPresence(ready.identity), location)).toBe('unknown');
    await child.kill('SIGKILL');
    await eventually(() => processLiveness(ready.identity, location) === 'dead');
    expect(processLiveness(withoutPresence(ready.identity), location)).toBe('unknown');
  });
});
