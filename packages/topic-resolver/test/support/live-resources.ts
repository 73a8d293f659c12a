import { createHook } from 'node:async_hooks';

// Not Immediate: settle() and settledLive() below use those to wait (the resolvers' own
// immediates run within a turn of the event loop and are cleared by close()).
const tracked = new Set(['Timeout', 'UDPWRAP', 'FSEVENTWRAP']);

/**
 * Records timers, UDP sockets and file watchers created from now on (referenced
 * or not, which `process.getActiveResourcesInfo()` cannot see). `live()` lists the types of
 * those still alive; `details()` adds where each was created, for failure messages.
 */
export function trackResources(): { live: () => string[]; settledLive: () => Promise<string[]>; details: () => string; stop: () => void } {
  const alive = new Map<number, { type: string; stack: string }>();
  const hook = createHook({
    init(asyncId, type) {
      if (tracked.has(type)) alive.set(asyncId, { type, stack: new Error().stack ?? '' });
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  }).enable();
  return {
    live: () => [...alive.values()].map((resource) => resource.type).sort(),
    // Destroy hooks of cleared timers and closed handles are reported asynchronously, later
    // on a busy machine: wait for them (by immediates, which are not tracked), up to 2 s.
    // What is still alive then was left behind.
    settledLive: async () => {
      const deadline = performance.now() + 2000;
      await settle();
      while (alive.size > 0 && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      return [...alive.values()].map((resource) => resource.type).sort();
    },
    details: () => [...alive.values()].map((resource) => `${resource.type} created ${resource.stack}`).join('\n'),
    stop: () => {
      hook.disable();
    },
  };
}

/** Lets pending destroy hooks run (they are reported asynchronously). */
export async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) await new Promise((resolve) => setImmediate(resolve));
}
