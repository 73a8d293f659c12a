import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { ErrorCode, SeamlessError } from '@seamless/seamless';

/** A network namespace joined to this one by a veth pair with private addresses. */
export interface NetworkNamespace {
  readonly name: string;
  /** The veth end in this (the host's) namespace, and its address. */
  readonly hostLink: string;
  readonly hostAddress: string;
  /** The veth end inside the namespace, and its address. */
  readonly namespaceLink: string;
  readonly namespaceAddress: string;
  /** The command prefix that runs a program inside the namespace. */
  readonly exec: readonly string[];
  /** Deletes the namespace and the veth pair; safe to call more than once. */
  remove(): void;
}

/**
 * Why a network namespace cannot be created here, or `undefined` when it can (Linux, root,
 * iproute2's `ip`).
 *
 * @example
 * ```ts
 * const problem = networkNamespaceProblem();
 * if (problem !== undefined) console.error(`--algo-netns: ${problem}`);
 * ```
 */
export function networkNamespaceProblem(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces exist only on Linux';
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root (run as root, or leave out --algo-netns)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the ip command is missing (install iproute2)';
  }
  return undefined;
}

/**
 * Creates the namespace `name` with loopback up and a veth pair to this namespace on a free
 * private /30 (10.213.x.y), which is how a process inside reaches the host's processes — over
 * TCP, exactly as from another machine. On failure everything created is removed first.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` when `ip` refuses (the message has its output).
 * @example
 * ```ts
 * const namespace = createNetworkNamespace('seamless-demo-1a2b');
 * spawn(namespace.exec[0], [...namespace.exec.slice(1), 'node', 'dist/algo.js']);
 * process.on('exit', () => namespace.remove());
 * ```
 */
export function createNetworkNamespace(name: string): NetworkNamespace {
  const id = randomBytes(3).toString('hex');
  const [hostAddress, namespaceAddress] = freeSubnet();
  const hostLink = `sdh${id}`;
  const namespaceLink = `sdn${id}`;
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    // Deleting the namespace destroys its veth end, and with it the host's end.
    quietly('netns', 'delete', name);
    quietly('link', 'delete', hostLink);
  };
  try {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', namespaceLink);
    ip('link', 'set', namespaceLink, 'netns', name);
    ip('address', 'add', `${hostAddress}/30`, 'dev', hostLink);
    ip('link', 'set', hostLink, 'up');
    ip('-n', name, 'address', 'add', `${namespaceAddress}/30`, 'dev', namespaceLink);
    ip('-n', name, 'link', 'set', namespaceLink, 'up');
  } catch (error) {
    remove();
    throw error;
  }
  return { name, hostLink, hostAddress, namespaceLink, namespaceAddress, exec: ['ip', 'netns', 'exec', name], remove };
}

// A /30 in 10.213.0.0/16 that no interface of this host uses yet: [host end, namespace end].
function freeSubnet(): [string, string] {
  const used = new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((entry) => (entry?.family === 'IPv4' ? [entry.address.split('.').slice(0, 3).join('.')] : [])),
  );
  for (let attempt = 0; attempt < 64; attempt++) {
    const third = randomInt(0, 256);
    if (used.has(`10.213.${third}`)) continue;
    const base = 4 * randomInt(0, 64);
    return [`10.213.${third}.${base + 1}`, `10.213.${third}.${base + 2}`];
  }
  throw new SeamlessError(ErrorCode.InvalidArgument, 'no free private subnet in 10.213.0.0/16 for the namespace');
}

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const output = (error as { stderr?: Buffer | string }).stderr;
    const stderr = (typeof output === 'string' ? output : (output?.toString('utf8') ?? '')).trim();
    throw new SeamlessError(ErrorCode.InvalidArgument, `ip ${args.join(' ')} failed: ${stderr === '' ? (error as Error).message : stderr}`);
  }
}

function quietly(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
  } catch {
    // Not there (never created, or already gone with the namespace).
  }
}
