import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SUPERVISED_ENVIRONMENT } from './process-lifecycle.js';

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What a {@link SupervisedProcess} runs. */
export interface ProcessCommand {
  /** Its name, printed before each of its lines. */
  readonly name: string;
  /** The program and its arguments (a wrapper such as `ip netns exec …` included). */
  readonly argv: readonly string[];
  /** ANSI color code for the name (used when our output is a terminal). */
  readonly color: number;
}

/**
 * One demo process started by the launcher: its output is passed through line by line, each
 * line prefixed with its name; its stdin is a pipe from the launcher, so if the launcher dies
 * the process notices (its stdin ends) and stops instead of running on as an orphan.
 *
 * @example
 * ```ts
 * const feed = SupervisedProcess.start({ name: 'feed', argv: [process.execPath, 'dist/feed.js'], color: 36 });
 * const exit = await feed.exited;
 * ```
 */
export class SupervisedProcess {
  readonly command: ProcessCommand;
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  readonly #lineListeners: ((line: string) => void)[] = [];
  #exit: ProcessExit | undefined;

  private constructor(command: ProcessCommand, child: ChildProcess) {
    this.command = command;
    this.#child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      child.once('error', (error) => {
        process.stderr.write(`${this.#prefix()}cannot start: ${error.message}\n`);
        this.#exit = { code: 127, signal: null };
        resolve(this.#exit);
      });
    });
    const pass = (stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream): void => {
      if (stream === null) return;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        out.write(`${this.#prefix()}${line}\n`);
        for (const listener of this.#lineListeners) listener(line);
      });
    };
    pass(child.stdout, process.stdout);
    pass(child.stderr, process.stderr);
    // The launcher never writes; a write error (the child is gone) is not ours to report.
    child.stdin?.on('error', () => undefined);
  }

  static start(command: ProcessCommand, environment: NodeJS.ProcessEnv = process.env): SupervisedProcess {
    const [program, ...args] = command.argv;
    if (program === undefined) throw new RangeError('argv must name a program');
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...environment, [SUPERVISED_ENVIRONMENT]: '1' } });
    return new SupervisedProcess(command, child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether it still runs. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Calls `listener` with every line it writes (stdout and stderr, without the prefix). */
  onLine(listener: (line: string) => void): void {
    this.#lineListeners.push(listener);
  }

  /** Sends `signal` if it still runs. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  #prefix(): string {
    const label = `[${this.command.name}]`.padEnd(12);
    return process.stdout.isTTY ? `\u001b[${this.command.color}m${label}\u001b[0m` : label;
  }
}
