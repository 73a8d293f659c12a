import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeamlessError } from '@seamless/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRegistryDirectory, prepareRegistryDirectory } from './registry-directory.js';

describe('defaultRegistryDirectory', () => {
  it('prefers $XDG_RUNTIME_DIR/seamless', () => {
    expect(defaultRegistryDirectory({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 })).toBe('/run/user/1000/seamless');
  });

  it('falls back to /dev/shm/seamless-<uid> on Linux, ignoring a relative XDG_RUNTIME_DIR', () => {
    expect(defaultRegistryDirectory({ env: { XDG_RUNTIME_DIR: 'relative' }, uid: 1000, platform: 'linux', exists: () => true })).toBe(
      '/dev/shm/seamless-1000',
    );
  });

  it('uses the temporary directory elsewhere', () => {
    expect(defaultRegistryDirectory({ env: {}, uid: 501, platform: 'darwin' })).toBe(join(tmpdir(), 'seamless-501'));
    expect(defaultRegistryDirectory({ env: {}, uid: 1000, platform: 'linux', exists: () => false })).toBe(join(tmpdir(), 'seamless-1000'));
  });
});

describe.runIf(process.platform !== 'win32')('prepareRegistryDirectory', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'seamless-registry-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function problemOf(path: string): string {
    try {
      prepareRegistryDirectory(path);
    } catch (error) {
      if (SeamlessError.isInstance(error, 'ERR_CONFIG_INVALID')) return error.message;
      throw error;
    }
    return 'accepted';
  }

  it('creates a missing directory with mode 0700 and accepts it again', async () => {
    const path = join(root, 'a', 'registry');
    expect(problemOf(path)).toBe('accepted');
    expect((await stat(path)).mode & 0o777).toBe(0o700);
    expect(problemOf(path)).toBe('accepted');
  });

  it('refuses a directory open to group or others, saying how to fix it', async () => {
    const path = join(root, 'open');
    await mkdir(path);
    await chmod(path, 0o755);
    expect(problemOf(path)).toBe(
      `registry directory ${path}: has mode 0755, so other users can reach it; it must be accessible by its owner only (chmod 700 ${path})`,
    );
  });

  it('refuses a symbolic link, a file and a relative path', async () => {
    const target = join(root, 'target');
    await mkdir(target, { mode: 0o700 });
    await symlink(target, join(root, 'link'));
    await writeFile(join(root, 'file'), '');
    expect(problemOf(join(root, 'link'))).toContain('is a symbolic link');
    expect(problemOf(join(root, 'file'))).toContain('cannot create it');
    expect(problemOf('relative/dir')).toContain('must be an absolute path');
  });

  it.runIf(process.getuid?.() === 0)('refuses a directory owned by another user', async () => {
    const path = join(root, 'foreign');
    await mkdir(path, { mode: 0o700 });
    await chown(path, 12345, 12345);
    expect(problemOf(path)).toContain('is owned by uid 12345, not by this user (uid 0); refusing to use it');
  });
});
