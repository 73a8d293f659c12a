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
export { isLoopbackAddress, normalizeAddress, parseAddress } from './normalize-address.js';
export type { HostIdentity } from '@seamless/transport';
