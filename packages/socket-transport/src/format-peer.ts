/** `"10.0.0.5:4000"` or `"[fe80::1%eth0]:4000"`, for messages; tolerates missing parts. */
export function formatPeer(address: string | undefined, port: number | undefined): string {
  const host = address ?? 'unknown';
  return `${host.includes(':') ? `[${host}]` : host}:${port === undefined ? '?' : String(port)}`;
}
