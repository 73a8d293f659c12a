export { composeResolvers } from './compose-resolvers.js';
export type { ComposedResolver } from './compose-resolvers.js';
export type { Lease, Resolver, ResolverEvent, ResolverStats } from './resolver.js';
export { processWarningLogger } from './resolver-logger.js';
export type { ResolverLogger } from './resolver-logger.js';
export { StaticResolver } from './static-resolver.js';
export { STATIC_DEFAULT_MAX_MESSAGE_SIZE } from './static-table.js';
export type { StaticEndpoint, StaticEntry, StaticTable } from './static-table.js';
