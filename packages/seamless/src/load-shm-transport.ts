import type { Transport } from '@seamless/transport';

/**
 * Options of the shared-memory transport, as `@seamless/shm-transport` documents them
 * (`ShmTransportOptions` there). Declared here too, by name only, because that package is an
 * optional dependency: the facade's types must not need it installed.
 */
export interface ShmTransportOptions {
  readonly capacity?: number;
  readonly mode?: number;
  readonly namePrefix?: string;
  readonly uid?: number;
  readonly livenessIntervalMs?: number;
  readonly reclaim?: boolean;
  readonly minFreeBytes?: number;
}

interface ShmModule {
  createShmTransport(options: ShmTransportOptions): Transport;
}

// Replaced by the build (tsup.config.ts): 'cjs' in dist/index.cjs, 'esm' in dist/index.js; not
// defined when the TypeScript sources run directly (the tests), which are ES modules.
declare const __SEAMLESS_MODULE_FORMAT__: 'cjs' | 'esm';

/**
 * Loads the optional `@seamless/shm-transport` the way this build's module system does: the
 * CommonJS build with `require`, the ES module build with `import()`. A CommonJS host that
 * cannot run `import()` (jest, which refuses it outside its ESM mode) still gets shared memory.
 */
function loadShmModule(): Promise<unknown> {
  if (typeof __SEAMLESS_MODULE_FORMAT__ !== 'undefined' && __SEAMLESS_MODULE_FORMAT__ === 'cjs') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build's optional dependency
    return Promise.resolve().then(() => require('@seamless/shm-transport') as unknown);
  }
  return import('@seamless/shm-transport');
}

/**
 * Loads `@seamless/shm-transport` (an optional dependency) and creates the transport; never
 * throws. When the package is missing or its native addon cannot load, returns the reason.
 */
export async function loadShmTransport(
  options: ShmTransportOptions,
  load: () => Promise<unknown> = loadShmModule,
): Promise<{ transport: Transport; reason?: undefined } | { transport?: undefined; reason: string }> {
  let module: ShmModule;
  try {
    module = (await load()) as ShmModule;
  } catch (error) {
    return { reason: `@seamless/shm-transport is not installed or does not load (${(error as Error).message})` };
  }
  try {
    return { transport: module.createShmTransport(options) };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}
