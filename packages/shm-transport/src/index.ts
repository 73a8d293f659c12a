export { DEFAULT_CAPACITY, DEFAULT_MIN_FREE_BYTES, createShmTransport } from './create-shm-transport.js';
export type { ShmTransport, ShmTransportOptions } from './create-shm-transport.js';
export type { ReclaimReport } from './os/reclaim-leftovers.js';
export { RingDescriptor, maxPayloadFor } from './ring/ring-descriptor.js';
export { ShmPublication } from './shm-publication.js';
export { ShmSubscriber } from './shm-subscriber.js';
export type { ShmSubscriptionOpener } from './shm-subscriber.js';
export { ShmSubscription } from './shm-subscription.js';
