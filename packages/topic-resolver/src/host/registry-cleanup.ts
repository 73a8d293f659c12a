// Deleting files of the registry directory that nobody will delete otherwise: the entry of a
// dead or expired owner (unless it was replaced meanwhile) and a writer's leftover temporary file.
import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CachedFile } from './registry-reader.js';

/** Temporary files older than this belong to a writer that died between write and rename. */
const staleTemporaryMs = 30_000;

/** Deletes `path` unless it was replaced since it was judged; true if deleted. */
export async function unlinkIfUnchanged(path: string, judged: CachedFile): Promise<boolean> {
  try {
    const now = await lstat(path);
    if (now.ino !== judged.ino || now.mtimeMs !== judged.mtimeMs) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}

/** Deletes the temporary file `name` of `directory` if it is older than a write ever takes. */
export async function removeStaleTemporary(directory: string, name: string, now: number): Promise<void> {
  const path = join(directory, name);
  try {
    const stats = await lstat(path);
    if (now - stats.mtimeMs > staleTemporaryMs) await unlink(path);
  } catch {
    // Renamed into place or removed meanwhile.
  }
}
