export { composeResolvers } from './compose-resolvers.js';
export type { ComposedResolver } from './compose-resolvers.js';
export {
  DATAGRAM_HEADER_BYTES,
  DATAGRAM_MAGIC,
  DATAGRAM_VERSION,
  MAX_DATAGRAM_BYTES,
  MAX_QUERY_DATAGRAM_BYTES,
} from './multicast/datagram-codec.js';
export { HostResolver } from './host/host-resolver.js';
export type { HostResolverOptions, HostResolverStats } from './host/host-resolver-options.js';
export { MulticastResolver } from './multicast/multicast-resolver.js';
export { DEFAULT_MULTICAST_GROUP, DEFAULT_MULTICAST_PORT } from './multicast/multicast-resolver-options.js';
export type { MulticastResolverOptions, MulticastResolverStats } from './multicast/multicast-resolver-options.js';
export { defaultRegistryDirectory } from './host/registry-directory.js';
export type { RegistryDirectoryEnvironment } from './host/registry-directory.js';
export { MAX_REGISTRY_FILE_BYTES, REGISTRY_FORMAT, REGISTRY_VERSION } from './host/registry-file.js';
export type { Lease, Resolver, ResolverEvent, ResolverStats } from './resolver.js';
export { processWarningLogger } from './resolver-logger.js';
export type { ResolverLogger } from './resolver-logger.js';
export { StaticResolver } from './static-resolver.js';
export { STATIC_DEFAULT_MAX_MESSAGE_SIZE } from './static-table.js';
export type { StaticEndpoint, StaticEntry, StaticTable } from './static-table.js';
