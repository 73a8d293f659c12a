import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { MAX_REGISTRY_FILE_BYTES, decodeRegistryEntry } from './registry-file.js';
import type { RegistryEntry } from './registry-file.js';

/** One registry file as last read: what identifies its version, and its entry. */
export interface CachedFile {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** `undefined` when the file is garbage (already counted). */
  readonly entry: RegistryEntry | undefined;
}

/**
 * Reads and validates the registry file `name` at `path`, whose `lstat` was `linkStats`.
 * Garbage is reported to `invalid` (once per version of the file, since the caller caches the
 * result by inode, size and mtime) and cached as an entry-less file. `'missing'` when the file
 * went away meanwhile. Never throws for what is in the directory.
 */
export async function readRegistryFile(
  name: string,
  path: string,
  linkStats: Stats,
  invalid: (problem: string) => void,
): Promise<CachedFile | 'missing'> {
  const garbage = (stats: Stats, problem: string): CachedFile => {
    invalid(problem);
    return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, entry: undefined };
  };
  if (!linkStats.isFile()) return garbage(linkStats, `${name}: not a regular file`);
  if (linkStats.size > MAX_REGISTRY_FILE_BYTES) {
    return garbage(linkStats, `${name}: ${linkStats.size} bytes, the limit is ${MAX_REGISTRY_FILE_BYTES}`);
  }
  let handle;
  try {
    // O_NOFOLLOW and O_NONBLOCK: a link or a FIFO swapped in after lstat can neither redirect
    // nor block the read.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return garbage(linkStats, `${name}: cannot be opened (${(error as Error).message})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return garbage(stats, `${name}: not a regular file`);
    // Sized from the file (one byte more, to see one that grew): ten thousand reads of a
    // few hundred bytes must not each allocate the largest file's worth.
    const buffer = Buffer.alloc(Math.min(stats.size, MAX_REGISTRY_FILE_BYTES) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
    const decoded = decodeRegistryEntry(name, buffer.subarray(0, bytesRead));
    if ('problem' in decoded) return garbage(stats, decoded.problem);
    return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, entry: decoded.entry };
  } catch (error) {
    return garbage(linkStats, `${name}: cannot be read (${(error as Error).message})`);
  } finally {
    await handle.close();
  }
}
