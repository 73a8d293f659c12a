import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/**
 * This process's environment without what an outer `npm test` put there for its own scripts
 * (`npm_config_*`, `npm_package_*`, `npm_lifecycle_*`, `INIT_CWD`): a command run with it
 * behaves as it would in a user's shell.
 */
export function userEnvironment(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD') continue;
    environment[key] = value;
  }
  return { ...environment, ...overrides };
}

/**
 * Writes an npm user configuration to `path`: the user's own (`~/.npmrc`: the machine's
 * `nodedir`, cache and the like) followed by `lines`. Pass it as `npm_config_userconfig`.
 */
export function writeUserConfig(path: string, lines: readonly string[]): string {
  const own = join(homedir(), '.npmrc');
  const base = existsSync(own) ? readFileSync(own, 'utf8') : '';
  writeFileSync(path, `${base.trimEnd()}\n${lines.join('\n')}\n`);
  return path;
}

/** `//host:port/:_authToken=…` for a registry URL, as npm keys credentials. */
export function authTokenLine(registryUrl: string, token: string): string {
  const { host, pathname } = new URL(registryUrl);
  return `//${host}${pathname}:_authToken=${token}`;
}

/**
 * A directory holding only `node` and `npm`, to be the whole PATH of an install that must not
 * find a compiler (no g++, cc, make or python3: node-gyp could not run even if asked).
 */
export function nodeOnlyPath(directory: string): string {
  mkdirSync(directory, { recursive: true });
  symlinkSync(process.execPath, join(directory, 'node'));
  symlinkSync(npmCli(), join(directory, 'npm'));
  return directory;
}

/** Whether `command` resolves on `path` (a PATH value). */
export function onPath(command: string, path: string): boolean {
  return path.split(delimiter).some((directory) => directory !== '' && existsSync(join(directory, command)));
}

// npm's command line script, found beside the npm on this process's PATH.
function npmCli(): string {
  for (const directory of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(directory, 'npm');
    if (directory !== '' && existsSync(candidate)) {
      const real = realpathSync(candidate);
      // /usr/bin/npm -> /usr/lib/node_modules/npm/bin/npm-cli.js
      if (real.endsWith('.js')) return real;
      const beside = join(dirname(real), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
      if (existsSync(beside)) return beside;
    }
  }
  throw new Error('npm is not on PATH');
}
