// The transport badge of the dashboard page (shm, tcp or both), on the flow diagram's links
// and in the streams table.
import type { TransportLabel } from '../src/dashboard-protocol.js';
import { setClass, setText } from './dom.js';

/** The transports joined for a label (`shm+tcp`), `''` for none. */
export function transportOf(transports: readonly TransportLabel[]): string {
  return transports.length === 0 ? '' : transports.join('+');
}

/** Shows `transports` on `badge`. */
export function setTransport(badge: Element, transports: readonly TransportLabel[]): void {
  const label = transportOf(transports);
  setText(badge, label === '' ? '—' : label);
  setClass(badge, 'shm', label === 'shm');
  setClass(badge, 'tcp', label === 'tcp');
  setClass(badge, 'both', transports.length > 1);
}
