// One pass of the host resolver over its registry directory: what it learnt about owners and
// heartbeats, so that each is looked at once per pass however many entries share it.
import { lstat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isOwnProcess, processKey, processLiveness } from '@seamless/local-addrs';
import type { Liveness, ProcessIdentity } from '@seamless/local-addrs';
import { realTimers } from '@seamless/transport';
import { heartbeatFileName } from './instance-heartbeat.js';

/**
 * What one pass over the directory learnt, so that every owner and every heartbeat is looked
 * at once per pass, however many entries they have.
 */
export class ScanPass {
  /** When the pass began. */
  readonly now = realTimers.dateNow();
  readonly #directory: string;
  /** The instance of the resolver making the pass: its own heartbeat is never removed. */
  readonly #ownInstance: string;
  /** Owner key -> its liveness. */
  readonly #owners = new Map<string, Liveness>();
  /** Instance -> its heartbeat's mtime (`undefined`: none). */
  readonly #heartbeats = new Map<string, number | undefined>();
  /** Heartbeats removed in this pass. */
  readonly #removed = new Set<string>();

  constructor(directory: string, ownInstance: string) {
    this.#directory = directory;
    this.#ownInstance = ownInstance;
  }

  /** Whether `identity` runs, looked at once per pass (this process without a look). */
  liveness(identity: ProcessIdentity): Liveness {
    if (isOwnProcess(identity)) return 'alive';
    const key = processKey(identity);
    let liveness = this.#owners.get(key);
    if (liveness === undefined) {
      liveness = processLiveness(identity);
      this.#owners.set(key, liveness);
    }
    return liveness;
  }

  /** When the instance's heartbeat was last renewed, looked at once per pass. */
  async heartbeat(instance: string): Promise<number | undefined> {
    if (this.#heartbeats.has(instance)) return this.#heartbeats.get(instance);
    const mtimeMs = await lstat(join(this.#directory, heartbeatFileName(instance))).then(
      (stats) => stats.mtimeMs,
      () => undefined,
    );
    this.#heartbeats.set(instance, mtimeMs);
    return mtimeMs;
  }

  /** Removes the heartbeat of an instance found dead or expired (its owner, if alive, makes a new one). */
  async removeHeartbeat(instance: string): Promise<void> {
    if (instance === this.#ownInstance || this.#removed.has(instance)) return;
    this.#removed.add(instance);
    await unlink(join(this.#directory, heartbeatFileName(instance))).catch(() => undefined);
  }
}
