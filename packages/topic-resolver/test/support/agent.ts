import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const fixture = fileURLToPath(new URL('../fixtures/resolver-agent.mjs', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** One line the agent printed. */
export interface AgentRecord {
  readonly event: string;
  readonly publisherId?: string;
  readonly reason?: string;
  readonly publisherIds?: string[];
  readonly message?: string;
  /** `ready`: the agent's pid and presence token (with `presence: true`). */
  readonly pid?: number;
  readonly presence?: string;
  /** `advertised`: how many, in how long. */
  readonly count?: number;
  readonly ms?: number;
  /** `usage`: its CPU time so far, RSS and resolver counters. */
  readonly cpu?: { readonly user: number; readonly system: number };
  readonly rss?: number;
  readonly stats?: Record<string, unknown>;
}

/** What test/fixtures/resolver-agent.mjs is told to do (see the fixture). */
export interface AgentConfig {
  readonly kind: 'host' | 'multicast';
  readonly options?: Record<string, unknown>;
  readonly topic?: string;
  readonly advertise?: readonly unknown[];
  readonly watch?: boolean;
  readonly resolveAtStart?: boolean;
  readonly abortWatchAfterMs?: number;
  readonly stdin?: boolean;
  /** Advertise `count` copies of `template`, on topics `<template.topic>.<i>` as publishers `p<i>`. */
  readonly advertiseMany?: { readonly template: unknown; readonly count: number };
  /** Establish a presence pipe first (with mkfifo(1)), as a process using shared memory has. */
  readonly presence?: boolean;
}

const running = new Set<Agent>();

/** A resolver-agent child process, optionally inside a network namespace. */
export class Agent {
  readonly records: AgentRecord[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  #stderr = '';
  #listeners: (() => void)[] = [];

  /**
   * @param netns a network namespace to run in, or a wrapper command (such as
   *   `containerWrapper()` of @seamless/test-support) to run under.
   */
  constructor(config: AgentConfig, netns?: string | readonly string[]) {
    const wrapper = netns === undefined ? [] : typeof netns === 'string' ? ['ip', 'netns', 'exec', netns] : netns;
    const command = [...wrapper, process.execPath, fixture];
    const [file = '', ...args] = command;
    // `ip netns exec` replaces itself with node, so the pid (and kill -9) is node's own.
    this.#child = spawn(file, [...args, JSON.stringify(config)], {
      cwd: packageDir,
      stdio: [config.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
        this.#notify();
      });
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    if (this.#child.stdout !== null) {
      createInterface({ input: this.#child.stdout }).on('line', (line) => {
        try {
          this.records.push(JSON.parse(line) as AgentRecord);
        } catch {
          this.records.push({ event: 'unparsable', message: line });
        }
        this.#notify();
      });
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The watch events printed so far, as `added p1` / `removed p1 revoked`. */
  get events(): string[] {
    return this.records
      .filter((record) => record.event === 'added' || record.event === 'removed')
      .map((record) => [record.event, record.publisherId, record.reason].filter((part) => part !== undefined).join(' '));
  }

  /** Resolves with the first record matching `predicate` (rejecting after `timeoutMs`, a guard against hangs). */
  async waitFor(predicate: (record: AgentRecord) => boolean, timeoutMs = 15_000, what = 'a record'): Promise<AgentRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.find(predicate);
      if (found !== undefined) return found;
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`agent exited before ${what}; records ${JSON.stringify(this.records)}; stderr ${this.#stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; records ${JSON.stringify(this.records)}; stderr ${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForEvent(event: string, publisherId?: string, timeoutMs?: number): Promise<AgentRecord> {
    return this.waitFor(
      (record) => record.event === event && (publisherId === undefined || record.publisherId === publisherId),
      timeoutMs,
      `${event} ${publisherId ?? ''}`,
    );
  }

  send(command: Record<string, unknown>): void {
    this.#child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.#child.kill(signal);
  }

  #notify(): void {
    for (const listener of this.#listeners.splice(0)) listener();
  }

  /** Kills every agent still running (for afterEach/afterAll) and waits for them to exit. */
  static async killAll(): Promise<void> {
    const agents = [...running];
    for (const agent of agents) agent.kill('SIGKILL');
    await Promise.all(agents.map((agent) => agent.exited));
  }
}
