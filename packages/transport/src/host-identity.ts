/**
 * What makes a host (and the namespaces a process lives in) recognisable to another process.
 * Two processes can share memory only when they see the same kernel (`bootId`) and the same
 * IPC namespace; loopback addresses mean the same thing only in the same network namespace.
 *
 * Produced by `hostIdentity()` in `@seamless/local-addrs`; carried in every
 * {@link Advertisement}.
 *
 * @example
 * ```ts
 * const identity: HostIdentity = {
 *   bootId: '3f1c0e9e-7c55-4b0e-9a55-2f8b3f1d9c1a',
 *   ipcNamespace: 'ipc:[4026531839]',
 *   netNamespace: 'net:[4026531840]',
 *   hostname: 'trading-01',
 * };
 * ```
 */
export interface HostIdentity {
  /** The kernel's boot id (Linux: `/proc/sys/kernel/random/boot_id`), or a stand-in. */
  readonly bootId: string;
  /** The IPC namespace (Linux: the link text of `/proc/self/ns/ipc`), or a stand-in. */
  readonly ipcNamespace: string;
  /** The network namespace (Linux: the link text of `/proc/self/ns/net`), or a stand-in. */
  readonly netNamespace: string;
  /** The host name as the operating system reports it. */
  readonly hostname: string;
}
