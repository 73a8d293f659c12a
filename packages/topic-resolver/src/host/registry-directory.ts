import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ErrorCode, SeamlessError } from '@seamless/transport';

/**
 * Where {@link defaultRegistryDirectory} looks; inject to test other environments.
 *
 * @example
 * ```ts
 * defaultRegistryDirectory({ env: {}, uid: 1000, platform: 'linux' }); // '/dev/shm/seamless-1000'
 * ```
 */
export interface RegistryDirectoryEnvironment {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly uid?: number | undefined;
  readonly platform?: string;
  readonly exists?: (path: string) => boolean;
}

/**
 * The per-user registry directory `HostResolver` uses by default:
 * `$XDG_RUNTIME_DIR/seamless` when `XDG_RUNTIME_DIR` is set to an absolute path (systemd
 * provides one per user, mode 0700, on tmpfs), else `/dev/shm/seamless-<uid>` (Linux, in
 * memory, emptied at boot), else `<os.tmpdir()>/seamless-<uid>` (macOS, or no `/dev/shm`).
 *
 * Both candidates survive `ip netns exec`, which changes the network namespace but keeps
 * `/dev/shm`, the environment and the pid namespace, so processes of one user in different
 * network namespaces of one host find each other.
 *
 * @example
 * ```ts
 * import { defaultRegistryDirectory } from '@seamless/topic-resolver';
 *
 * console.log(defaultRegistryDirectory()); // e.g. '/run/user/1000/seamless' or '/dev/shm/seamless-1000'
 * ```
 */
export function defaultRegistryDirectory(environment: RegistryDirectoryEnvironment = {}): string {
  const { env = process.env, uid = process.getuid?.(), platform = process.platform, exists = existsSync } = environment;
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && runtime !== '' && isAbsolute(runtime)) return join(runtime, 'seamless');
  const user = uid === undefined ? (env['USERNAME'] ?? env['USER'] ?? 'user') : String(uid);
  if (platform === 'linux' && exists('/dev/shm')) return `/dev/shm/seamless-${user}`;
  return join(tmpdir(), `seamless-${user}`);
}

/**
 * Creates the registry directory (mode 0700) if needed and checks that it is safe to trust:
 * a real directory (not a symbolic link), owned by this user, with no access for group or
 * others. Another user who could write there could advertise endpoints in our name.
 *
 * @throws SeamlessError `ERR_CONFIG_INVALID` naming the directory, the problem and the fix.
 */
export function prepareRegistryDirectory(path: string): void {
  const fail = (problem: string, cause?: unknown): never => {
    throw new SeamlessError(ErrorCode.ConfigInvalid, `registry directory ${path}: ${problem}`, {
      cause,
      details: { directory: path, problem },
    });
  };
  if (!isAbsolute(path)) fail('must be an absolute path');
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    fail(`cannot create it: ${(error as Error).message}`, error);
  }
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) fail('is a symbolic link; refusing to follow it (remove it or pass another directory)');
  if (!stats.isDirectory()) fail('is not a directory (remove it or pass another directory)');
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    fail(`is owned by uid ${stats.uid}, not by this user (uid ${uid}); refusing to use it (remove it or pass another directory)`);
  }
  // Windows reports synthetic modes; its per-user temporary directory is private anyway.
  if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    fail(`has mode ${mode}, so other users can reach it; it must be accessible by its owner only (chmod 700 ${path})`);
  }
}
