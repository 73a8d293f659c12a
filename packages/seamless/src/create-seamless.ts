import { LocalAddressTable, hostIdentity } from '@seamless/local-addrs';
import { createSocketTransport } from '@seamless/socket-transport';
import { HostResolver, MulticastResolver, composeResolvers } from '@seamless/topic-resolver';
import {
  ErrorCode,
  SeamlessError,
  TRANSPORT_REACHES,
  TRANSPORT_SPECIFICATION_VERSION,
  describeValue,
  transportKindProblem,
  validateOptionsObject,
} from '@seamless/transport';
import type { Transport, TransportKind, TransportReach } from '@seamless/transport';
import { loadShmTransport } from './load-shm-transport.js';
import { Seamless } from './seamless.js';
import { processLogger, warnOncePerProcess } from './seamless-logger.js';
import type { SeamlessOptions } from './seamless-options.js';

/**
 * Creates a Seamless bus. With no options it finds publishers on this host through a registry
 * in /dev/shm and on the LAN through UDP multicast, and reaches each over shared memory when it
 * is on this host and over TCP otherwise. If the shared-memory addon cannot load, it says why
 * once and uses TCP only.
 *
 * @example
 * ```ts
 * import { createSeamless } from '@seamless/seamless';
 *
 * const bus = await createSeamless();
 * const subscriber = await bus.subscriber('md.AAPL');
 * const publisher = await bus.publisher('md.AAPL');
 * await publisher.waitForSubscribers(1);
 * publisher.send('hello');
 * for await (const message of subscriber) {
 *   console.log(message.transport, new TextDecoder().decode(message.data)); // shm hello
 *   break;
 * }
 * await bus.close();
 * ```
 */
export async function createSeamless(options: SeamlessOptions = {}): Promise<Seamless> {
  validateOptionsObject(options, 'createSeamless()', [
    'resolver',
    'hostResolver',
    'multicast',
    'localAddresses',
    'identity',
    'transports',
    'shm',
    'tcp',
    'maxMessageSize',
    'logger',
  ]);
  const logger = options.logger ?? processLogger;
  const identity = options.identity ?? hostIdentity();
  const ownedAddresses = options.localAddresses === undefined;
  const localAddresses = options.localAddresses ?? new LocalAddressTable({ refreshIntervalMs: 10_000 });
  const ownedTransports: Transport[] = [];
  const transports = new Map<TransportKind, Transport>();
  try {
    if (options.transports !== undefined) {
      const given: unknown = options.transports;
      if (!Array.isArray(given)) invalid('transports must be an array');
      for (const transport of given as readonly unknown[]) {
        checkTransport(transport);
        if (transports.has(transport.kind)) invalid(`two transports of kind ${transport.kind}`);
        transports.set(transport.kind, transport);
      }
    } else {
      if (options.shm !== false) {
        const shm = await loadShmTransport(options.shm ?? {});
        // The default transport is held to the contract like an injected one: a stale
        // @seamless/shm-transport costs shared memory, with the reason, not every publisher.
        const contractProblem = shm.transport === undefined ? undefined : transportProblem(shm.transport);
        if (shm.transport !== undefined && contractProblem === undefined) {
          transports.set(shm.transport.kind, shm.transport);
          ownedTransports.push(shm.transport);
        } else {
          if (shm.transport !== undefined) await shm.transport.close().catch(() => undefined);
          const reason = contractProblem ?? shm.reason;
          warnOncePerProcess(
            logger,
            `shm-unavailable: ${reason}`,
            () => `Seamless: shared memory is unavailable, using TCP only: ${reason}`,
          );
        }
      }
      const tcp = createSocketTransport({ identity, ...options.tcp });
      transports.set(tcp.kind, tcp);
      ownedTransports.push(tcp);
    }
    if (transports.size === 0) invalid('no transport: pass at least one in `transports`');
    const ownedResolver = options.resolver === undefined;
    const resolver =
      options.resolver ??
      (options.multicast === false
        ? new HostResolver(options.hostResolver)
        : composeResolvers(new HostResolver(options.hostResolver), new MulticastResolver({ logger, ...options.multicast })));
    return new Seamless({
      identity,
      localAddresses,
      resolver,
      transports,
      owned: { resolver: ownedResolver, localAddresses: ownedAddresses, transports: ownedTransports },
      options,
    });
  } catch (error) {
    await Promise.all(ownedTransports.map((transport) => transport.close()));
    if (ownedAddresses) localAddresses.close();
    throw error;
  }
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}

// A transport must speak this contract: checked once, at createSeamless, so that a mismatched
// package fails there and not on the first message.
function checkTransport(value: unknown): asserts value is Transport {
  const problem = transportProblem(value);
  if (problem !== undefined) invalid(problem);
}

function transportProblem(value: unknown): string | undefined {
  const candidate = value as Partial<Record<keyof Transport, unknown>> | null;
  if (candidate?.specificationVersion !== TRANSPORT_SPECIFICATION_VERSION) {
    return `a transport speaks contract ${String(candidate?.specificationVersion)}, this facade needs ${TRANSPORT_SPECIFICATION_VERSION}`;
  }
  const kindProblem = transportKindProblem(candidate.kind);
  if (kindProblem !== undefined) return `a transport's kind ${describeValue(candidate.kind)} ${kindProblem}`;
  const kind = candidate.kind as string;
  if (!TRANSPORT_REACHES.includes(candidate.reach as TransportReach)) {
    return `transport ${kind}: reach must be one of ${TRANSPORT_REACHES.join(', ')}, got ${describeValue(candidate.reach)}`;
  }
  for (const method of ['parseEndpoint', 'openPublication', 'canReach', 'openSubscription', 'close'] as const) {
    if (typeof candidate[method] !== 'function') return `transport ${kind}: ${method} must be a function`;
  }
  return undefined;
}
