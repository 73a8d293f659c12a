import { createHook } from 'node:async_hooks';

// Not Immediate: settle() below uses those, and this package never does.
const tracked = new Set(['Timeout', 'UDPWRAP', 'FSEVENTWRAP']);

/**
 * Records timers, UDP sockets and file watchers created from now on (referenced
 * or not, which `process.getActiveResourcesInfo()` cannot see). `live()` lists the types of
 * those still alive; `details()` adds where each was created, for failure messages.
 */
export function trackResources(): { live: () => string[]; details: () => string; stop: () => void } {
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
