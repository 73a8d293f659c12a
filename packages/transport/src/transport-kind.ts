/**
 * The transports Seamless knows: `'shm'` (shared memory on the same host) and `'tcp'`
 * (sockets, for everything else).
 *
 * @example
 * ```ts
 * const kind: TransportKind = message.transport; // 'shm' | 'tcp'
 * ```
 */
export type TransportKind = 'shm' | 'tcp';

/** Every {@link TransportKind}, in the order the facade prefers them. */
export const TRANSPORT_KINDS: readonly TransportKind[] = ['shm', 'tcp'];
