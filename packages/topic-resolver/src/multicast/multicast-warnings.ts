// The warnings a multicast resolver logs (once each), worded for whoever must fix the host.
import type { MulticastSettings } from './multicast-resolver-options.js';

/** Multicast cannot be used on this host: `what` (opening, joining, sending) failed with `error`. */
export function unavailableWarning(settings: MulticastSettings, what: string, error: unknown): string {
  const { interfaces, group, port } = settings;
  const where = interfaces.length === 0 ? 'the interface the kernel chose' : `interface(s) ${interfaces.join(', ')}`;
  return (
    `multicast discovery on ${group}:${port} is unavailable (${what} failed: ${(error as Error).message}): ` +
    `this host has no usable multicast route on ${where}. Advertisements are still resolved within this process; ` +
    `to discover peers on the LAN add a route (ip route add 224.0.0.0/4 dev <interface>) or pass the 'interfaces' option.`
  );
}

/** The resolver holds `maxAdvertisements` and ignores new ones. */
export function droppedWarning(settings: MulticastSettings): string {
  const { group, port, maxAdvertisements } = settings;
  return `multicast resolver on ${group}:${port} holds maxAdvertisements (${maxAdvertisements}) advertisements; ignoring new ones until some expire (see stats.dropped)`;
}
