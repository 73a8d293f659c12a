import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from '@seamless/test-support';

/** A Verdaccio registry of this machine, serving the `@seamless` scope only. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** A token of a user allowed to publish. */
  readonly token: string;
  /** The directory of the published packages (`<storage>/@seamless/<name>/<name>-<v>.tgz`). */
  readonly storage: string;
  /** Stops the registry (SIGTERM, then SIGKILL) and waits for it. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Starts Verdaccio in its own process on a free loopback port, storing in `directory` (created
 * by the caller, removed by the caller). It proxies nothing: a package outside `@seamless` is
 * the client's to fetch from its usual registry, so the registry holds exactly what was
 * published to it. Resolves once it answers and a publishing user exists.
 */
export async function startLocalRegistry(directory: string): Promise<LocalRegistry> {
  const storage = join(directory, 'storage');
  mkdirSync(storage, { recursive: true });
  const port = await freePort();
  const config = join(directory, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(directory, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '@seamless/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const bin = require.resolve('verdaccio/bin/verdaccio');
  const child = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${String(port)}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-10_000)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-10_000)));
  const url = `http://127.0.0.1:${String(port)}/`;
  try {
    await waitUntilAnswering(url, child, () => log);
    const token = await addUser(url);
    return { url, token, storage, stop: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

async function waitUntilAnswering(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`verdaccio exited at start:\n${log()}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer within 60 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, 20 * 2 ** attempt)));
  }
}

// What `npm adduser` does: creates the user and returns its token.
async function addUser(url: string): Promise<string> {
  const name = 'rehearsal';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'rehearsal-password', type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || body.token === undefined) throw new Error(`verdaccio refused a user: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
