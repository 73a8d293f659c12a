import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a child process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const living = new Set<Child>();

/**
 * A Node.js child process that speaks one JSON object per line on stdout and reads lines on
 * stdin: the shape every multi-process test fixture uses. Every child is registered so that
 * {@link killChildren} (in `afterEach`) leaves none behind, whatever the test did.
 */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<ChildExit>;
  readonly #messages: unknown[] = [];
  readonly #waiters: (() => void)[] = [];
  #stderr = '';
  #ended = false;

  private constructor(process: ChildProcess) {
    this.process = process;
    living.add(this);
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        living.delete(this);
        resolve({ code, signal });
      });
    });
    process.stderr?.setEncoding('utf8');
    process.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-20_000);
    });
    const lines = createInterface({ input: process.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        message = { text: line };
      }
      this.#messages.push(message);
      this.#wake();
    });
    lines.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  /** Starts `node <script> ...args`, optionally under a wrapper command (`ip netns exec ...`). */
  static start(
    script: string,
    args: readonly string[] = [],
    options: { readonly env?: NodeJS.ProcessEnv; readonly wrapper?: readonly string[]; readonly cwd?: string } = {},
  ): Child {
    const wrapper = options.wrapper ?? [];
    const [command, ...prefix] = wrapper.length > 0 ? wrapper : [process.execPath];
    const argv = wrapper.length > 0 ? [...prefix, process.execPath, script, ...args] : [script, ...args];
    const child = spawn(command ?? process.execPath, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    return new Child(child);
  }

  /** What the child wrote on stderr (the last 20 kB), for failure messages. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Writes one line (JSON-encoded unless a string) to the child's stdin. */
  send(message: unknown): void {
    this.process.stdin?.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  /**
   * Resolves with the first message (in order of arrival, consuming it and every one before
   * it) that satisfies `accept`; rejects after `timeoutMs` or when the child's output ends.
   */
  async next<T = Record<string, unknown>>(
    accept: (message: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#messages.length > 0) {
        const message = this.#messages.shift();
        if (typeof message === 'object' && message !== null && accept(message as Record<string, unknown>)) return message as T;
      }
      if (this.#ended) throw new Error(`child ended before the expected message; stderr:\n${this.#stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a message from the child; stderr:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a signal (default SIGKILL) if the child still runs, and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ChildExit> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    return this.exited;
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

/** Kills every child started through {@link Child.start} that is still running. */
export async function killChildren(): Promise<void> {
  await Promise.all([...living].map((child) => child.kill()));
}
