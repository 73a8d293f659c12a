// The baseline: node:net with one socket.write() per message (4-byte length + payload),
// respecting back-pressure; the receiver splits the stream into frames.
import net from 'node:net';
import { once } from 'node:events';

export const defaultMessages = 600_000;

export async function publisher({ messages, size, listening }) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  listening({ port: server.address().port });
  const [socket] = await once(server, 'connection');
  socket.setNoDelay(true);
  for (let index = 0; index < messages; index++) {
    const frame = Buffer.allocUnsafe(4 + size);
    frame.writeUInt32BE(size, 0);
    frame.fill(7, 4);
    if (!socket.write(frame)) await once(socket, 'drain');
  }
  return {
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

export async function subscriber({ port, messages, received }) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let count = 0;
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    let buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (buffer.length - offset < 4 + length) break;
      offset += 4 + length;
      received(++count);
    }
    pending = buffer.subarray(offset);
  });
  return {
    check: () => (count === messages ? undefined : `received ${count} messages, expected ${messages}`),
    close: () => socket.destroy(),
  };
}
