import { createServer } from 'node:net';

/**
 * A loopback TCP port nothing listens on right now: the kernel's choice, released at once. For
 * a server that must be told its port (a registry, a dashboard) or for a port to be refused on.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });
  });
}
