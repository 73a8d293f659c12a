import { randomBytes } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * One heartbeat file per HostResolver instance that has entries: `<instance>.instance`, empty,
 * touched every renewal interval. It renews all of the instance's entries at once, so renewal
 * costs one system call however many topics the instance advertises. Readers look at it only
 * for entries whose owner's liveness they cannot check (another PID namespace, no presence
 * pipe they can see); an entry whose owner is known alive needs no renewal at all.
 */

const heartbeatName = /^([0-9a-f]{16})\.instance$/;

/** A fresh instance id: 16 random hex digits. */
export function newInstanceId(): string {
  return randomBytes(8).toString('hex');
}

/** The heartbeat file name of `instance`. */
export function heartbeatFileName(instance: string): string {
  return `${instance}.instance`;
}

/** The instance whose heartbeat file `name` is, or `undefined` for any other name. */
export function parseHeartbeatFileName(name: string): string | undefined {
  return heartbeatName.exec(name)?.[1];
}

/**
 * Renews the heartbeat of `instance` in `directory`, creating it when missing (first renewal,
 * or removed by a reader that judged the instance expired). Says whether it had to create it.
 */
export async function touchHeartbeat(directory: string, instance: string): Promise<'renewed' | 'created'> {
  const path = join(directory, heartbeatFileName(instance));
  const now = new Date();
  try {
    await utimes(path, now, now);
    return 'renewed';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(path, '', { mode: 0o600 });
  return 'created';
}
