// Raw node:net, the baseline: TCP on 127.0.0.1 (Nagle off) or a Unix socket, length-prefixed
// frames. Two ways to write:
// - one `socket.write()` per message (a new buffer with the frame, as an application
//   serialising messages would do), waiting for 'drain' when write() says so;
// - batched: frames are copied into 64 KiB slabs and one write per slab is issued, when the
//   slab is full or at the end of the event-loop turn (setImmediate), the way socket-transport
//   batches.
// The sender listens; fan-out writes every message to every subscriber's socket.
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import type { LinkRequest, OpenedLink } from '../cases/bench-case.js';
import { FrameReader } from './frame-reader.js';
import type { DataHandler, EventLink } from './link.js';

/** How a node:net case runs. */
export interface NetSettings {
  readonly transport: 'tcp' | 'unix';
  readonly batched: boolean;
}

const SLAB_BYTES = 64 * 1024;
const READY_TIMEOUT_MS = 15_000;

/** Opens one side of a node:net measurement. */
export async function openNetLink(request: LinkRequest, settings: NetSettings): Promise<OpenedLink> {
  if (request.role === 'sender') {
    const server = createServer();
    const path = join(request.directories.sockets, `${request.id}.sock`);
    if (settings.transport === 'tcp') server.listen(0, '127.0.0.1');
    else server.listen(path);
    await once(server, 'listening');
    const address = settings.transport === 'tcp' ? String((server.address() as { port: number }).port) : path;
    const sockets: Socket[] = [];
    const accepted = new Promise<void>((resolve) => {
      server.on('connection', (socket) => {
        prepare(socket, settings);
        sockets.push(socket);
        if (sockets.length === request.receivers) resolve();
      });
    });
    return { link: new NetLink(settings, sockets, accepted, server), address };
  }
  const socket = settings.transport === 'tcp' ? createConnection(Number(request.address), '127.0.0.1') : createConnection(request.address);
  prepare(socket, settings);
  const connected = once(socket, 'connect').then(() => undefined);
  connected.catch(() => undefined);
  return { link: new NetLink(settings, [socket], connected, undefined), address: '' };
}

function prepare(socket: Socket, settings: NetSettings): void {
  if (settings.transport === 'tcp') socket.setNoDelay(true);
  // Errors end the measurement through the coordinator's timeout, never an uncaught exception.
  socket.on('error', () => undefined);
}

class NetLink implements EventLink {
  readonly style = 'event';
  readonly route: string;
  readonly #settings: NetSettings;
  readonly #sockets: Socket[];
  readonly #connected: Promise<void>;
  readonly #server: Server | undefined;
  #slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  #filled = 0;
  #flushScheduled = false;

  constructor(settings: NetSettings, sockets: Socket[], connected: Promise<void>, server: Server | undefined) {
    this.#settings = settings;
    this.#sockets = sockets;
    this.#connected = connected;
    this.#server = server;
    this.route = settings.transport === 'tcp' ? 'tcp 127.0.0.1' : 'unix socket';
  }

  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`not connected within ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  send(data: Uint8Array): boolean {
    const sockets = this.#sockets;
    for (const socket of sockets) {
      if (socket.writableNeedDrain) return false;
    }
    if (!this.#settings.batched) {
      const frame = Buffer.allocUnsafe(4 + data.length);
      frame.writeUInt32LE(data.length, 0);
      frame.set(data, 4);
      for (const socket of sockets) socket.write(frame);
      return true;
    }
    const frameBytes = 4 + data.length;
    if (this.#filled + frameBytes > this.#slab.length) this.#flush();
    if (frameBytes > this.#slab.length) {
      const frame = Buffer.allocUnsafe(frameBytes);
      frame.writeUInt32LE(data.length, 0);
      frame.set(data, 4);
      for (const socket of sockets) socket.write(frame);
      return true;
    }
    this.#slab.writeUInt32LE(data.length, this.#filled);
    this.#slab.set(data, this.#filled + 4);
    this.#filled += frameBytes;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushSoon);
    }
    return true;
  }

  async drained(): Promise<void> {
    for (const socket of this.#sockets) {
      if (socket.writableNeedDrain) await once(socket, 'drain');
    }
  }

  listen(handler: DataHandler): void {
    const [socket] = this.#sockets;
    if (socket === undefined || this.#sockets.length !== 1) throw new Error('a fan-out publisher does not receive');
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      reader.push(chunk, handler);
    });
  }

  close(): Promise<void> {
    this.#flush();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server === undefined) return Promise.resolve();
    const server = this.#server;
    return new Promise((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  readonly #flushSoon = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (this.#filled === 0) return;
    // Every socket gets the same slab (nothing writes into it again): one write per socket.
    const slab = this.#slab.subarray(0, this.#filled);
    for (const socket of this.#sockets) socket.write(slab);
    this.#slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this.#filled = 0;
  }
}
