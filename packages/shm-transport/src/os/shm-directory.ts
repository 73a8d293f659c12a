import { statfsSync } from 'node:fs';

/** Where POSIX shared-memory segments appear on Linux, and where doorbells and presences live beside them. */
export const SHM_DIRECTORY = '/dev/shm';

/** The size and free space of the file system under /dev/shm. */
export interface ShmSpace {
  readonly totalBytes: number;
  readonly freeBytes: number;
}

/** Reads the size and free space of /dev/shm; `undefined` where it cannot be read. */
export function shmSpace(directory = SHM_DIRECTORY): ShmSpace | undefined {
  try {
    const stats = statfsSync(directory);
    return { totalBytes: stats.blocks * stats.bsize, freeBytes: stats.bavail * stats.bsize };
  } catch {
    return undefined;
  }
}

/** Bytes as people read them: `268 KiB`, `64.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** "/dev/shm: 64.0 MiB, 0.2 MiB free", or that it could not be read. */
export function describeShmSpace(directory = SHM_DIRECTORY): string {
  const space = shmSpace(directory);
  return space === undefined
    ? `${directory}: size unknown`
    : `${directory}: ${formatBytes(space.totalBytes)}, ${formatBytes(space.freeBytes)} free`;
}
