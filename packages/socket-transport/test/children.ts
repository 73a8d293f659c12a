// Child processes for the multi-process tests: fixtures in test/fixtures/*.mjs, driven over IPC.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const running = new Set<ChildProcess>();

/** A message a fixture sent over IPC. */
export interface FixtureMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A running fixture. */
export interface Fixture {
  readonly child: ChildProcess;
  /** What it printed so far. */
  readonly output: () => string;
  /** The next message of `type` (or one that already arrived and was not taken yet). */
  next<Shape extends object = FixtureMessage>(type: string, timeoutMs?: number): Promise<Shape>;
  send(message: FixtureMessage): void;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts `test/fixtures/<name>.mjs` with `options` as JSON in FIXTURE_OPTIONS. */
export function startFixture(name: string, options: object = {}, args: readonly string[] = []): Fixture {
  const child = fork(fileURLToPath(new URL(`fixtures/${name}.mjs`, import.meta.url)), args, {
    cwd: packageDir,
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, FIXTURE_OPTIONS: JSON.stringify(options) },
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const inbox: FixtureMessage[] = [];
  const waiting = new Set<() => void>();
  child.on('message', (message: FixtureMessage) => {
    inbox.push(message);
    for (const wake of waiting) wake();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      for (const wake of waiting) wake();
      resolve(code ?? signal);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    send: (message) => child.send(message),
    next: <Shape extends object = FixtureMessage>(type: string, timeoutMs = 30_000) =>
      new Promise<Shape>((resolve, reject) => {
        const check = (): void => {
          const index = inbox.findIndex((message) => message.type === type);
          if (index !== -1) {
            finish();
            const [message] = inbox.splice(index, 1);
            resolve(message as unknown as Shape);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(new Error(`fixture ${name} exited (${String(child.exitCode ?? child.signalCode)}) before "${type}":\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`fixture ${name}: no "${type}" within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        check();
      }),
  };
}

/** Kills (SIGKILL) every fixture still running; for afterEach. */
export async function killFixtures(): Promise<void> {
  const exits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(exits);
}
