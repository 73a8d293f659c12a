import type { Transport } from '@seamless/transport';

/**
 * Options of the shared-memory transport, as `@seamless/shm-transport` documents them. Declared
 * here too because that package is an optional dependency and may be missing.
 */
export interface ShmTransportOptions {
  readonly capacity?: number;
  readonly mode?: number;
  readonly namePrefix?: string;
  readonly uid?: number;
  readonly livenessIntervalMs?: number;
  readonly reclaim?: boolean;
}

interface ShmModule {
  createShmTransport(options: ShmTransportOptions): Transport;
}

/**
 * Loads `@seamless/shm-transport` (an optional dependency) and creates the transport; never
 * throws. When the package is missing or its native addon cannot load, returns the reason.
 */
export async function loadShmTransport(
  options: ShmTransportOptions,
  load: () => Promise<unknown> = () => import('@seamless/shm-transport'),
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
