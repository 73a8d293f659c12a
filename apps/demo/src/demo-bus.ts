import { createSeamless } from '@seamless/seamless';
import type { Seamless } from '@seamless/seamless';
import type { CommonOptions } from './demo-options.js';
import type { ProcessLog } from './process-lifecycle.js';

/**
 * The Seamless bus of a demo process: the facade's defaults (shared memory with peers on this
 * host, TCP with the others; discovery through the host registry and UDP multicast on the LAN),
 * with multicast off under `--local-only` and the registry directory of `--registry`.
 *
 * @example
 * ```ts
 * const bus = await createDemoBus({ help: false, localOnly: true, registry: undefined }, processLog());
 * ```
 */
export function createDemoBus(options: CommonOptions, log: ProcessLog): Promise<Seamless> {
  return createSeamless({
    ...(options.localOnly ? { multicast: false } : {}),
    ...(options.registry === undefined ? {} : { hostResolver: { directory: options.registry } }),
    logger: {
      warn: (message) => {
        log.warn(message);
      },
    },
  });
}
