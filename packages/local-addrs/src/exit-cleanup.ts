// Cleanups of this process still to run, newest first at exit.
const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // Nothing more can be done while exiting; the next cleanup still runs.
    }
  }
  cleanups.clear();
}

/**
 * Runs `cleanup` when this process exits normally (the event loop emptied, `process.exit()`,
 * an uncaught exception): the one place Seamless removes what it created in the file system
 * (a segment, a doorbell, a registry entry, the presence pipe) when `close()` was never
 * called. Cleanups run synchronously, newest first, each guarded (one that throws does not stop
 * the others). A `kill -9` runs none of them: then whoever notices the death reclaims what the
 * process left. Returns a function that cancels the cleanup (call it from `close()`).
 *
 * @example
 * ```ts
 * import { unlinkSync } from 'node:fs';
 * import { atProcessExit } from '@seamless/local-addrs';
 *
 * const cancel = atProcessExit(() => unlinkSync('/tmp/my.pipe'));
 * // ... and on close:
 * cancel();
 * ```
 */
export function atProcessExit(cleanup: () => void): () => void {
  // Wrapped, so that one function registered twice is two cleanups with two cancels.
  const entry = (): void => {
    cleanup();
  };
  cleanups.add(entry);
  if (!installed) {
    installed = true;
    process.once('exit', runCleanups);
  }
  return () => {
    cleanups.delete(entry);
  };
}
