import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Child, killChildren } from '@seamless/test-support';

// A platform the release has no prebuild for: node-gyp-build is told the C library is musl (as
// on Alpine) and to ignore anything compiled from source, so the glibc prebuild does not fit.

const program = fileURLToPath(new URL('./fixtures/warnings.mjs', import.meta.url));

let directory = '';
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'seamless-no-prebuild-'));
});
afterEach(async () => {
  await killChildren();
  rmSync(directory, { recursive: true, force: true });
});

interface Result {
  transports: string[][];
  warnings: { code: string; message: string }[];
}

it('without a prebuild for the platform, every bus runs over TCP and the process is warned once, with the platform and the way to build', async () => {
  const child = Child.start(program, [JSON.stringify({ directory })], { env: { LIBC: 'musl', PREBUILDS_ONLY: '1' } });
  const result = await child.next<Result>((message) => message['type'] === 'result');
  expect(result.transports).toEqual([['tcp'], ['tcp']]);
  expect(result.warnings).toHaveLength(1);
  expect(result.warnings[0]?.code).toBe('SEAMLESS');
  expect(result.warnings[0]?.message).toContain(`no prebuilt binary for ${process.platform}-${process.arch} (musl)`);
  expect(result.warnings[0]?.message).toContain('npm explore @seamless/shm-transport -- npm run build:native');
});

it('with the prebuild, the same program uses shared memory and is not warned', async () => {
  const child = Child.start(program, [JSON.stringify({ directory })], { env: { PREBUILDS_ONLY: '1' } });
  const result = await child.next<Result>((message) => message['type'] === 'result');
  expect(result.transports).toEqual([
    ['shm', 'tcp'],
    ['shm', 'tcp'],
  ]);
  expect(result.warnings).toEqual([]);
});
