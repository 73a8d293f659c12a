import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Command, Reply } from './protocol.js';

type ReplyOf<Kind extends Reply['kind']> = Extract<Reply, { kind: Kind }>;

interface Waiter {
  readonly kind: Reply['kind'];
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

const STDERR_TAIL_BYTES = 4000;

/**
 * Node options for every peer process, from `SEAMLESS_BENCH_PEER_ARGS` (space-separated), for
 * diagnosis: `SEAMLESS_BENCH_PEER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` profiles each
 * peer (Node refuses --cpu-prof in NODE_OPTIONS).
 */
export function peerNodeArguments(environment: NodeJS.ProcessEnv = process.env): string[] {
  return (environment['SEAMLESS_BENCH_PEER_ARGS'] ?? '').split(' ').filter((argument) => argument !== '');
}
const START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 5000;

/**
 * The coordinator's handle on one peer process: `node dist/peer.js <case>`, started through
 * `taskset -c <cpu>` when pinned (so every thread of the process, zeromq's included, stays on
 * that vCPU). Replies are queued until asked for; an `error` reply or an early exit rejects
 * whatever is awaited, with the end of the peer's stderr.
 */
export class PeerHandle {
  readonly caseName: string;
  readonly cpu: number | undefined;
  readonly #child: ChildProcess;
  readonly #inbox: Reply[] = [];
  readonly #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #stderr = '';
  #exited = false;

  private constructor(script: string, caseName: string, cpu: number | undefined) {
    this.caseName = caseName;
    this.cpu = cpu;
    const nodeArgs = [...peerNodeArguments(), script, caseName];
    const command = cpu === undefined ? process.execPath : 'taskset';
    const args = cpu === undefined ? nodeArgs : ['-c', String(cpu), process.execPath, ...nodeArgs];
    this.#child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL_BYTES);
    });
    this.#child.on('message', (message: Reply) => {
      this.#receive(message);
    });
    this.#child.on('error', (error) => {
      this.#fail(new Error(`peer ${caseName} could not start: ${error.message}`));
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = true;
      const tail = this.#stderr.trim();
      this.#fail(new Error(`peer ${caseName} exited (${signal ?? `code ${String(code)}`})${tail === '' ? '' : `: ${tail}`}`));
    });
  }

  /** Starts a peer and waits for its hello. */
  static async start(script: string, caseName: string, cpu: number | undefined): Promise<PeerHandle> {
    const peer = new PeerHandle(script, caseName, cpu);
    try {
      await peer.next('hello', START_TIMEOUT_MS);
    } catch (error) {
      peer.kill();
      throw error;
    }
    return peer;
  }

  send(command: Command): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#child.send(command);
  }

  /** Sends `command` and waits for the reply of kind `kind`. */
  request<Kind extends Reply['kind']>(command: Command, kind: Kind, timeoutMs: number): Promise<ReplyOf<Kind>> {
    try {
      this.send(command);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.next(kind, timeoutMs);
  }

  /** The next reply of kind `kind` (already received, or to come within `timeoutMs`). */
  next<Kind extends Reply['kind']>(kind: Kind, timeoutMs: number): Promise<ReplyOf<Kind>> {
    const index = this.#inbox.findIndex((reply) => reply.kind === kind);
    if (index >= 0) {
      const [reply] = this.#inbox.splice(index, 1);
      return Promise.resolve(reply as ReplyOf<Kind>);
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<ReplyOf<Kind>>((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`peer ${this.caseName}: no "${kind}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        kind,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as ReplyOf<Kind>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const remove = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Asks the peer to exit; kills it if it has not within a few seconds. */
  async exit(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => {
      this.#child.once('exit', () => {
        resolve();
      });
    });
    try {
      this.send({ kind: 'exit' });
    } catch {
      // already failed: kill below
    }
    const timer = setTimeout(() => {
      this.kill();
    }, EXIT_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Sends `signal` (default SIGKILL: at once, whatever the peer is doing). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.#exited) this.#child.kill(signal);
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  #receive(reply: Reply): void {
    if (reply.kind === 'error') {
      this.#fail(new Error(`peer ${this.caseName}: ${reply.message}`));
      return;
    }
    const index = this.#waiters.findIndex((waiter) => waiter.kind === reply.kind);
    const waiter = this.#waiters[index];
    if (waiter === undefined) {
      this.#inbox.push(reply);
      return;
    }
    this.#waiters.splice(index, 1);
    waiter.resolve(reply);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }
}
