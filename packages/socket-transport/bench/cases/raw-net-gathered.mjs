// A reference, not a baseline: hand-written gathering on node:net (length-prefixed 64-byte
// messages copied into 64 KiB buffers, one write per buffer; the receiver makes one view per
// message, as poll() does). What this design could reach with no transport around it.
import net from 'node:net';
import { once } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export const defaultMessages = 4_000_000;

export async function publisher({ messages, size, listening }) {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  listening({ port: server.address().port });
  const [socket] = await once(server, 'connection');
  socket.setNoDelay(true);
  const payload = new Uint8Array(size).fill(7);
  const frameSize = 4 + size;
  let slab = Buffer.allocUnsafeSlow(65_536);
  let offset = 0;
  for (let index = 0; index < messages; index++) {
    if (slab.length - offset < frameSize) {
      const full = socket.write(slab.subarray(0, offset));
      slab = Buffer.allocUnsafeSlow(65_536);
      offset = 0;
      if (!full) await once(socket, 'drain');
      else if (index % 8192 === 0) await yieldToLoop();
    }
    slab.writeUInt32BE(size, offset);
    slab.set(payload, offset + 4);
    offset += frameSize;
  }
  socket.write(slab.subarray(0, offset));
  return {
    close: () => {
      socket.destroy();
      server.close();
    },
  };
}

export async function subscriber({ port, messages, size, received }) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let count = 0;
  let bytes = 0;
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    const buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (buffer.length - offset < 4 + length) break;
      const view = new Uint8Array(buffer.buffer, buffer.byteOffset + offset + 4, length);
      bytes += view.byteLength;
      offset += 4 + length;
      received(++count);
    }
    pending = buffer.subarray(offset);
  });
  return {
    check: () => (bytes === messages * size ? undefined : `received ${bytes} bytes, expected ${messages * size}`),
    close: () => socket.destroy(),
  };
}
