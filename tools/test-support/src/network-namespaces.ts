import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Why namespace tests cannot run here, or `undefined` when they can: Linux, root, iproute2, and
 * a namespace can really be created (a container may lack the capability even as root), which
 * is probed by creating and deleting `seamless-test-<random>-probe`.
 */
export function namespaceSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces exist only on Linux';
  if (process.getuid?.() !== 0) return 'not root (creating network namespaces needs root)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the ip command (iproute2) is missing';
  }
  const probe = `seamless-test-${randomBytes(4).toString('hex')}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const output = (error as { stderr?: Buffer | string }).stderr;
    const stderr = (typeof output === 'string' ? output : (output?.toString() ?? '')).trim();
    return `cannot create a network namespace here (${stderr === '' ? (error as Error).message : stderr})`;
  }
  execFileSync('ip', ['netns', 'delete', probe], { stdio: 'ignore' });
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Two network namespaces joined by a veth pair, plus a third with no route at all. */
export interface TwoHosts {
  readonly a: { readonly namespace: string; readonly link: string; readonly address: string };
  readonly b: { readonly namespace: string; readonly link: string; readonly address: string };
  /** A namespace with only `lo`, up, and no route: multicast cannot work there. */
  readonly isolated: string;
  /** Deletes everything created; safe to call more than once and after a partial setup. */
  remove(): void;
}

/**
 * Creates `seamless-test-<random>-{a,b,c}`: a and b are joined by a veth pair with addresses in
 * 10.214.78.0/24 and a multicast route (224.0.0.0/4) on the veth in each; c has only loopback. Used by the
 * multi-process tests of every package that needs "another host".
 * On any failure everything created so far is removed before the error is thrown.
 */
export function createTwoHosts(): TwoHosts {
  const id = randomBytes(4).toString('hex');
  const prefix = `seamless-test-${id}`;
  const a = { namespace: `${prefix}-a`, link: `sl${id}a`, address: '10.214.78.1' };
  const b = { namespace: `${prefix}-b`, link: `sl${id}b`, address: '10.214.78.2' };
  const isolated = `${prefix}-c`;
  const remove = (): void => {
    for (const namespace of [a.namespace, b.namespace, isolated]) {
      try {
        ip('netns', 'delete', namespace);
      } catch {
        // Not created, or already deleted.
      }
    }
    // Deleting a namespace destroys the veth pair; this covers a failure before the move.
    try {
      ip('link', 'delete', a.link);
    } catch {
      // Already gone.
    }
  };
  try {
    for (const namespace of [a.namespace, b.namespace, isolated]) {
      ip('netns', 'add', namespace);
      ip('-n', namespace, 'link', 'set', 'lo', 'up');
    }
    ip('link', 'add', a.link, 'type', 'veth', 'peer', 'name', b.link);
    for (const host of [a, b]) {
      ip('link', 'set', host.link, 'netns', host.namespace);
      ip('-n', host.namespace, 'address', 'add', `${host.address}/24`, 'dev', host.link);
      ip('-n', host.namespace, 'link', 'set', host.link, 'up');
      ip('-n', host.namespace, 'route', 'add', '224.0.0.0/4', 'dev', host.link);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { a, b, isolated, remove };
}
