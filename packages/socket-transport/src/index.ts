export { chooseAddresses } from './choose-addresses.js';
export type { AddressChoice, SkippedBecause } from './choose-addresses.js';
export { createSocketTransport } from './create-socket-transport.js';
export type { SocketTransport } from './create-socket-transport.js';
export { reconnectDelay } from './reconnect-backoff.js';
export type { BackoffParameters } from './reconnect-backoff.js';
export { nodeNetwork } from './socket-network.js';
export type { ConnectTarget, SocketNetwork } from './socket-network.js';
export type { SocketPublication } from './socket-publication.js';
export type { SocketSubscription } from './socket-subscription.js';
export { MAX_MESSAGE_SIZE_LIMIT, SOCKET_TRANSPORT_DEFAULTS } from './socket-transport-options.js';
export type {
  HeartbeatOptions,
  ReconnectOptions,
  SocketTransportOptions,
  SocketTransportTls,
} from './socket-transport-options.js';
export { PROTOCOL_VERSION } from './wire-format.js';
