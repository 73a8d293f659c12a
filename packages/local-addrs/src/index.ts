export { canShareMemory, hostIdentity, sameNetworkNamespace } from './host-identity.js';
export type { HostIdentitySources } from './host-identity.js';
export { LocalAddressTable } from './local-address-table.js';
export type {
  AddressChange,
  HostLookup,
  InterfaceAddress,
  InterfaceSource,
  LocalAddressTableEvents,
  LocalAddressTableOptions,
} from './local-address-table.js';
export { isLoopbackAddress, isUnspecifiedAddress, normalizeAddress, parseAddress } from './normalize-address.js';
export { isOwnProcess, ownProcessIdentity, pidNamespaceOf, processKey } from './process-identity.js';
export type { ProcessIdentity } from './process-identity.js';
export { processLiveness } from './process-liveness.js';
export type { Liveness } from './process-liveness.js';
export { ProcessMonitor, processMonitor } from './process-monitor.js';
export type { DeathListener, ProcessMonitorOptions } from './process-monitor.js';
export {
  PRESENCE_TOKEN_PATTERN,
  defaultPresenceDirectory,
  establishPresence,
  ownPresence,
  parsePresenceName,
  presencePath,
  probePresence,
  removeDeadPresence,
} from './process-presence.js';
export type { FifoMaker, PresenceLocation, PresenceProbe, ProcessPresence } from './process-presence.js';
export { parseProcessStat, readProcessStat } from './process-stat.js';
export type { ProcessStat, ProcessStatReading } from './process-stat.js';
export type { HostIdentity } from '@seamless/transport';
export { atProcessExit } from './exit-cleanup.js';
