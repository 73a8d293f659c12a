import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Child, killChildren } from '@seamless/test-support';
import { createConsumerProject } from '../src/consumer-project.js';
import { startLocalRegistry } from '../src/local-registry.js';
import type { LocalRegistry } from '../src/local-registry.js';
import { authTokenLine, nodeOnlyPath, onPath, userEnvironment, writeUserConfig } from '../src/npm-environment.js';
import { expectSuccess, runCommand } from '../src/run-command.js';

// The release rehearsal: every package is published with `changeset publish` (what a
// maintainer's release runs) to a Verdaccio of this machine, then installed from it into empty
// projects, as users install it, and used: two processes on shared memory, CommonJS,
// TypeScript, jest. It needs the packages built (`npm test` builds them first).

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const changeset = require.resolve('@changesets/cli/bin.js');
const tsc = require.resolve('typescript/bin/tsc');
const jest = require.resolve('jest/bin/jest');
// What the consumer installs besides Seamless: Node's types for the TypeScript consumer, at the
// version the repository builds with.
const typesNode = `@types/node@${(require('@types/node/package.json') as { version: string }).version}`;

let work = '';
let registry: LocalRegistry | undefined;
let tarballs: { name: string; file: string; bytes: number; entries: string[] }[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'seamless-release-'));
  registry = await startLocalRegistry(join(work, 'registry'));
  const userconfig = writeUserConfig(join(work, 'publish.npmrc'), [
    `registry=${registry.url}`,
    authTokenLine(registry.url, registry.token),
  ]);
  expectSuccess(
    'changeset publish',
    await runCommand(process.execPath, [changeset, 'publish', '--no-git-tag'], {
      cwd: repository,
      // changeset publish passes npm the registry of npm_config_registry (npmjs.org without it).
      env: userEnvironment({ npm_config_userconfig: userconfig, npm_config_registry: registry.url }),
    }),
  );
  const storage = join(registry.storage, '@seamless');
  for (const name of readdirSync(storage).sort()) {
    for (const file of readdirSync(join(storage, name)).filter((each) => each.endsWith('.tgz'))) {
      const path = join(storage, name, file);
      const listing = expectSuccess(`tar -tzf ${file}`, await runCommand('tar', ['-tzf', path], { cwd: work, env: userEnvironment() }));
      tarballs.push({
        name: `@seamless/${name}`,
        file: path,
        bytes: statSync(path).size,
        entries: listing.stdout.split('\n').filter(Boolean),
      });
    }
  }
  console.log(
    `published to ${registry.url}:\n${tarballs.map((each) => `  ${each.name.padEnd(28)} ${(each.bytes / 1024).toFixed(1).padStart(7)} KiB packed, ${String(each.entries.length).padStart(3)} files`).join('\n')}`,
  );
}, 600_000);

afterEach(async () => {
  await killChildren();
});

afterAll(async () => {
  await registry?.stop();
  if (work !== '') rmSync(work, { recursive: true, force: true });
  tarballs = [];
});

function installCommand(project: string, args: readonly string[], path?: string) {
  const env = userEnvironment(path === undefined ? {} : { PATH: path });
  const npm = path === undefined ? 'npm' : join(path, 'npm');
  return runCommand(npm, ['install', '--no-audit', '--no-fund', ...args], { cwd: project, env });
}

// Two processes of the consumer project, a publisher and a subscriber, on one host.
async function publishAndSubscribe(project: string, env: NodeJS.ProcessEnv = {}) {
  const directory = mkdtempSync(join(work, 'bus-'));
  const config = JSON.stringify({ directory, topic: 'rehearsal.topic', count: 20 });
  const subscriber = Child.start(join(project, 'subscriber.mjs'), [config], { cwd: project, env });
  const subscribed = await subscriber.next<{ transports: string[] }>((message) => message['type'] === 'subscribed', 60_000);
  const publisher = Child.start(join(project, 'publisher.mjs'), [config], { cwd: project, env });
  const sent = await publisher.next<{ transports: string[] }>((message) => message['type'] === 'sent', 60_000);
  const result = await subscriber.next<{ routes: string[]; transports: string[]; texts: string[] }>(
    (message) => message['type'] === 'result',
    60_000,
  );
  publisher.process.stdin?.end();
  expect(await publisher.exited).toEqual({ code: 0, signal: null });
  expect(await subscriber.exited).toEqual({ code: 0, signal: null });
  return {
    publisher: sent.transports,
    subscriber: subscribed.transports,
    routes: result.routes,
    delivered: result.transports,
    texts: result.texts,
  };
}

const expectedExchange = {
  publisher: ['shm', 'tcp'],
  subscriber: ['shm', 'tcp'],
  routes: ['shm'],
  delivered: ['shm'],
  texts: Array.from({ length: 20 }, (_, index) => `message ${index}`),
};

describe('the release rehearsal', () => {
  it("publishes every public package, each tarball with the repository's LICENSE, README.md and dist/, shm-transport with its prebuild", () => {
    expect(tarballs.map((each) => each.name)).toEqual([
      '@seamless/local-addrs',
      '@seamless/seamless',
      '@seamless/shm-transport',
      '@seamless/socket-transport',
      '@seamless/topic-resolver',
      '@seamless/transport',
    ]);
    const license = readFileSync(join(repository, 'LICENSE'), 'utf8');
    for (const tarball of tarballs) {
      expect(execFileSync('tar', ['-xzOf', tarball.file, 'package/LICENSE'], { encoding: 'utf8' }), tarball.name).toBe(license);
      expect(tarball.entries, tarball.name).toEqual(
        expect.arrayContaining([
          'package/LICENSE',
          'package/README.md',
          'package/package.json',
          'package/dist/index.js',
          'package/dist/index.cjs',
          'package/dist/index.d.ts',
          'package/dist/index.d.cts',
        ]),
      );
      expect(
        tarball.entries.filter((entry) => entry.endsWith('.test.ts')),
        tarball.name,
      ).toEqual([]);
    }
    const shm = tarballs.find((each) => each.name === '@seamless/shm-transport');
    expect(shm?.entries).toContain(`package/prebuilds/${process.platform}-${process.arch}/@seamless+shm-transport.glibc.node`);
  });

  describe('(a) a plain npm install', () => {
    let project = '';
    beforeAll(async () => {
      project = createConsumerProject(join(work, 'consumer-a'), registry?.url ?? '');
      const install = expectSuccess('npm install', await installCommand(project, ['@seamless/seamless', typesNode]));
      expect(install.output).not.toMatch(/gyp|install script|allowScripts|prebuild/i);
    }, 300_000);

    it('compiled nothing: no install script ran, no build directory, the prebuild is what loads', () => {
      const shm = join(project, 'node_modules/@seamless/shm-transport');
      expect(existsSync(join(shm, 'build'))).toBe(false);
      const manifest = require(join(shm, 'package.json')) as { scripts?: Record<string, string>; gypfile?: boolean };
      expect(Object.keys(manifest.scripts ?? {}).filter((script) => /^(pre|post)?install$/.test(script))).toEqual([]);
      expect(manifest.gypfile).toBe(false);
      const nodeGypBuild = createRequire(join(shm, 'package.json'))('node-gyp-build') as { path(directory: string): string };
      expect(nodeGypBuild.path(shm)).toContain(join('prebuilds', `${process.platform}-${process.arch}`));
    });

    it('a publisher and a subscriber process exchange messages over shared memory', async () => {
      expect(await publishAndSubscribe(project)).toEqual(expectedExchange);
    }, 120_000);

    it('a CommonJS consumer (require) gets shared memory', async () => {
      const run = expectSuccess(
        'node consumer.cjs',
        await runCommand(process.execPath, ['consumer.cjs', mkdtempSync(join(work, 'bus-'))], { cwd: project, env: userEnvironment() }),
      );
      expect(JSON.parse(run.stdout)).toEqual({ type: 'result', route: 'shm', texts: ['from CommonJS'] });
    }, 60_000);

    it('a TypeScript consumer (module nodenext, strict) type-checks against the published types and runs', async () => {
      expectSuccess('tsc', await runCommand(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, env: userEnvironment() }));
      const run = expectSuccess(
        'node out/consumer.mjs',
        await runCommand(process.execPath, ['out/consumer.mjs', mkdtempSync(join(work, 'bus-'))], { cwd: project, env: userEnvironment() }),
      );
      expect(JSON.parse(run.stdout)).toEqual({
        type: 'result',
        route: 'shm',
        texts: ['from TypeScript'],
        refused: 'ERR_MESSAGE_TOO_LARGE',
      });
    }, 120_000);

    it('under jest (CommonJS, fake timers) it loads shared memory and delivers', async () => {
      const run = await runCommand(
        process.execPath,
        [jest, '--ci', '--colors=false', '--config', 'jest.config.cjs', '--rootDir', project],
        { cwd: project, env: userEnvironment() },
      );
      expectSuccess('jest', run);
      expect(run.output).toMatch(/Tests:\s+3 passed, 3 total/);
    }, 120_000);

    it('builds the addon from source as the README says, and then loads that build', async () => {
      expectSuccess(
        'npm explore',
        await runCommand('npm', ['explore', '@seamless/shm-transport', '--', 'npm', 'run', 'build:native'], {
          cwd: project,
          env: userEnvironment(),
        }),
      );
      expect(existsSync(join(project, 'node_modules/@seamless/shm-transport/build/Release/seamless_shm.node'))).toBe(true);
      // Told the C library is musl, node-gyp-build finds no prebuild that fits: shared memory
      // now works only through the build from source.
      expect(await publishAndSubscribe(project, { LIBC: 'musl' })).toEqual(expectedExchange);
    }, 300_000);
  });

  it('(b) npm install --ignore-scripts with no compiler on the PATH still gets shared memory', async () => {
    const project = createConsumerProject(join(work, 'consumer-b'), registry?.url ?? '');
    const path = nodeOnlyPath(join(work, 'node-only-bin'));
    expect(['g++', 'c++', 'cc', 'make', 'python3'].filter((command) => onPath(command, path))).toEqual([]);
    expectSuccess('npm install --ignore-scripts', await installCommand(project, ['--ignore-scripts', '@seamless/seamless'], path));
    expect(await publishAndSubscribe(project, { PATH: path })).toEqual(expectedExchange);
  }, 300_000);
});
