import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Why container tests (`unshare` of PID, IPC and mount namespaces) cannot run here, or
 * `undefined` when they can: Linux, root, util-linux's `unshare`, and a PID namespace can
 * really be made (a container may lack the capability even as root).
 */
export function containerSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'namespaces exist only on Linux';
  if (process.getuid?.() !== 0) return 'not root (unshare of PID, IPC and mount namespaces needs root)';
  try {
    execFileSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', '--ipc', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const output = (error as { stderr?: Buffer | string }).stderr;
    const stderr = (typeof output === 'string' ? output : (output?.toString() ?? '')).trim();
    return `cannot unshare PID, IPC and mount namespaces here (${stderr === '' ? (error as Error).message : stderr})`;
  }
  return undefined;
}

/** Which namespaces a {@link containerWrapper} gives the command of its own. */
export interface ContainerNamespaces {
  /** A PID namespace (the command is its pid 1, with its own /proc). */
  readonly pid?: boolean;
  /** An IPC namespace (System V IPC and POSIX message queues; /dev/shm is a mount and stays shared). */
  readonly ipc?: boolean;
}

/**
 * The wrapper (for `Child.start`) that runs a command the way a container runs it: in a PID
 * namespace of its own where its pid means nothing outside (`unshare --pid --fork
 * --mount-proc`), and optionally its own IPC namespace; /dev/shm stays the host's, as with
 * `docker run --ipc=host` or a /dev/shm volume. Killing the child kills the wrapper, whose
 * death kills the command (`--kill-child`): a `kill -9` of the containerised process.
 */
export function containerWrapper(namespaces: ContainerNamespaces = { pid: true }): string[] {
  const wrapper = ['unshare'];
  if (namespaces.pid === true) wrapper.push('--pid', '--fork', '--kill-child=SIGKILL', '--mount-proc');
  if (namespaces.ipc === true) wrapper.push('--ipc');
  return wrapper;
}

/**
 * A private mount namespace with its own tmpfs on /dev/shm (Docker gives each container one
 * of 64 MB): processes started through {@link wrapper} see only that /dev/shm. The namespace is
 * held by a `sleep` process; {@link remove} ends it, and the mount disappears with the last
 * process in the namespace.
 */
export class SmallShm {
  readonly #holder: ChildProcess;
  readonly sizeBytes: number;

  private constructor(holder: ChildProcess, sizeBytes: number) {
    this.#holder = holder;
    this.sizeBytes = sizeBytes;
  }

  /** Mounts a tmpfs of `sizeBytes` on /dev/shm in a new mount namespace. */
  static async create(sizeBytes = 64 * 1024 * 1024): Promise<SmallShm> {
    const script = `mount -t tmpfs -o size=${sizeBytes},mode=1777 seamless-test /dev/shm && echo ready && exec sleep 100000`;
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    holder.stdout.setEncoding('utf8');
    holder.stderr.setEncoding('utf8');
    holder.stderr.on('data', (chunk: string) => (output += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('ready')) resolve();
      });
      holder.once('exit', (code) => {
        reject(new Error(`the mount namespace could not be made (exit ${String(code)}): ${output}`));
      });
    });
    await ready;
    return new SmallShm(holder, sizeBytes);
  }

  /** The wrapper (for `Child.start`) that runs a command inside the namespace. */
  wrapper(): string[] {
    return ['nsenter', `--target=${String(this.#holder.pid)}`, '--mount', '--'];
  }

  /** Runs a shell command inside the namespace and returns its output. */
  run(command: string): string {
    return execFileSync('nsenter', [`--target=${String(this.#holder.pid)}`, '--mount', '--', 'sh', '-c', command], { encoding: 'utf8' });
  }

  /** Ends the namespace's holder (processes still inside keep the mount until they end). */
  async remove(): Promise<void> {
    if (this.#holder.exitCode !== null || this.#holder.signalCode !== null) return;
    const exited = once(this.#holder, 'exit');
    this.#holder.kill('SIGKILL');
    await exited;
  }
}
