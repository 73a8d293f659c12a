import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, SeamlessError } from '@seamless/seamless';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage } from './dashboard-protocol.js';
import type { PongMessage, SnapshotMessage, UpdateMessage } from './dashboard-protocol.js';
import type { ProcessLog } from './process-lifecycle.js';

/** A file the server serves, held in memory. */
export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** Options of {@link DashboardWebServer.start}. */
export interface DashboardWebServerOptions {
  /** The port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The files served, by URL path (`/` included). */
  readonly assets: ReadonlyMap<string, WebAsset>;
  /** The whole state, for a page that connects and for `GET /api/snapshot`. */
  readonly snapshot: () => SnapshotMessage;
  readonly log: ProcessLog;
  /** Pages connected at once (default 32); more are turned away. */
  readonly maxClients?: number;
  /** A page whose unsent data exceeds this many bytes gets no updates until it catches up (default 1 MiB). */
  readonly maxBufferedBytes?: number;
}

/** What the server has turned away or ignored so far. */
export interface WebServerCounters {
  /** WebSocket messages that were not a ping (garbage, binary, unknown). */
  readonly ignoredMessages: number;
  /** Connections closed for breaking the WebSocket protocol or sending a frame over the limit. */
  readonly closedConnections: number;
  /** Updates not sent to a page that was not reading. */
  readonly skippedUpdates: number;
}

interface Client {
  // Missed an update while not reading: gets a fresh snapshot when it catches up.
  stale: boolean;
  warned: boolean;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;

/**
 * The dashboard's web server on 127.0.0.1: serves the page and its assets, `GET /api/snapshot`
 * (the state as JSON) and a WebSocket at `/ws` that sends a snapshot on connect and then every
 * update. It is built to survive its clients: a WebSocket message other than a ping is ignored;
 * one larger than 4 KiB, or a frame that breaks the protocol, closes that connection only
 * (the `ws` library's `maxPayload` and validation); a page that stops reading is skipped until it
 * catches up, so memory does not grow; a page from another origin is refused.
 *
 * @example
 * ```ts
 * const web = await DashboardWebServer.start({ port: 8080, assets, snapshot: () => state.snapshot(Date.now(), server), log });
 * console.log(web.url);
 * setInterval(() => web.broadcast(state.takeUpdate(Date.now(), server)), 100);
 * ```
 */
export class DashboardWebServer {
  readonly port: number;
  readonly url: string;
  readonly #server: Server;
  readonly #sockets: WebSocketServer;
  readonly #options: DashboardWebServerOptions;
  readonly #clients = new Map<WebSocket, Client>();
  #ignoredMessages = 0;
  #closedConnections = 0;
  #skippedUpdates = 0;

  private constructor(server: Server, sockets: WebSocketServer, port: number, options: DashboardWebServerOptions) {
    this.#server = server;
    this.#sockets = sockets;
    this.port = port;
    this.url = `http://127.0.0.1:${port}/`;
    this.#options = options;
  }

  /**
   * Starts listening.
   *
   * @throws SeamlessError `ERR_INVALID_ARGUMENT` when the port is taken (with what to do),
   *   `ERR_CONNECTION` for any other listening failure.
   */
  static async start(options: DashboardWebServerOptions): Promise<DashboardWebServer> {
    const sockets = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_MESSAGE_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    const handlers: { request?: (request: IncomingMessage, response: ServerResponse) => void } = {};
    const server = createServer({ maxHeaderSize: 8192, requestTimeout: 10_000 }, (request, response) => {
      handlers.request?.(request, response);
    });
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new SeamlessError(
                ErrorCode.InvalidArgument,
                `port ${options.port} on 127.0.0.1 is in use: pass --port <another> (0 picks a free one)`,
              )
            : new SeamlessError(ErrorCode.Connection, `cannot listen on 127.0.0.1:${options.port}: ${error.message}`, { cause: error }),
        );
      });
      server.listen(options.port, '127.0.0.1', resolve);
    });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const web = new DashboardWebServer(server, sockets, port, options);
    handlers.request = (request, response) => {
      web.#serve(request, response);
    };
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      web.#upgrade(request, socket, head);
    });
    return web;
  }

  /** Pages connected right now. */
  get clients(): number {
    return this.#clients.size;
  }

  get counters(): WebServerCounters {
    return { ignoredMessages: this.#ignoredMessages, closedConnections: this.#closedConnections, skippedUpdates: this.#skippedUpdates };
  }

  /** Sends `update` to every page that keeps up; a page that fell behind gets a snapshot once it caught up. */
  broadcast(update: UpdateMessage): void {
    if (this.#clients.size === 0) return;
    const text = JSON.stringify(update);
    const limit = this.#options.maxBufferedBytes ?? 1024 * 1024;
    for (const [socket, client] of this.#clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > limit) {
        client.stale = true;
        this.#skippedUpdates++;
        continue;
      }
      if (client.stale) {
        client.stale = false;
        socket.send(JSON.stringify(this.#options.snapshot()));
      } else {
        socket.send(text);
      }
    }
  }

  /** Closes every page's connection and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.#clients.keys()) socket.close(1001, 'the dashboard is stopping');
    await new Promise<void>((resolve) => {
      this.#sockets.close(() => {
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
    for (const socket of this.#clients.keys()) socket.terminate();
    this.#clients.clear();
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      respond(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    const path = pathOf(request.url);
    if (path === '/api/snapshot') {
      respond(response, 200, 'application/json; charset=utf-8', JSON.stringify(this.#options.snapshot()));
      return;
    }
    if (path === '/healthz') {
      respond(response, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    const asset = path === undefined ? undefined : this.#options.assets.get(path);
    if (asset === undefined) respond(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    else respond(response, 200, asset.contentType, request.method === 'HEAD' ? '' : asset.body);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {
      // A peer that resets mid-handshake: nothing to do, the socket is gone.
    });
    if (pathOf(request.url) !== '/ws') {
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (!sameOrigin(request.headers.origin, this.port)) {
      refuse(socket, 403, 'Forbidden');
      return;
    }
    if (this.#clients.size >= (this.#options.maxClients ?? 32)) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    this.#sockets.handleUpgrade(request, socket, head, (webSocket) => {
      this.#connected(webSocket);
    });
  }

  #connected(socket: WebSocket): void {
    const client: Client = { stale: false, warned: false };
    this.#clients.set(socket, client);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const message = isBinary ? undefined : parseClientMessage(textOf(data));
      if (message === undefined) {
        this.#ignoredMessages++;
        if (!client.warned) {
          client.warned = true;
          this.#options.log.warn('dashboard: ignoring WebSocket messages from a page that are not pings');
        }
        return;
      }
      const pong: PongMessage = { type: 'pong', id: message.id, time: Date.now() };
      socket.send(JSON.stringify(pong));
    });
    socket.on('error', (error) => {
      // ws closes the connection itself (1009 too big, 1002 protocol error...); only that page is affected.
      this.#closedConnections++;
      this.#options.log.warn(`dashboard: closed a page's connection: ${error.message}`);
    });
    socket.on('close', () => {
      this.#clients.delete(socket);
    });
    socket.send(JSON.stringify(this.#options.snapshot()));
  }
}

/**
 * Reads the page's files: `index.html`, `style.css` and `favicon.svg` from `webDirectory`
 * (the app's `web/`), and the bundled `app.js` from `bundleDirectory` (`dist/web/`).
 *
 * @throws Error naming the missing file (the app is not built).
 * @example
 * ```ts
 * const assets = await loadWebAssets(new URL('../web/', import.meta.url), new URL('./web/', import.meta.url));
 * ```
 */
export async function loadWebAssets(webDirectory: URL, bundleDirectory: URL): Promise<Map<string, WebAsset>> {
  const read = async (directory: URL, name: string, contentType: string): Promise<WebAsset> => {
    const file = new URL(name, directory);
    try {
      return { contentType, body: await readFile(file) };
    } catch (error) {
      throw new Error(
        `cannot read ${file.pathname} (${(error as Error).message}); build the demo first: npx turbo run build --filter=@seamless/demo...`,
      );
    }
  };
  const index = await read(webDirectory, 'index.html', 'text/html; charset=utf-8');
  return new Map([
    ['/', index],
    ['/index.html', index],
    ['/style.css', await read(webDirectory, 'style.css', 'text/css; charset=utf-8')],
    ['/favicon.svg', await read(webDirectory, 'favicon.svg', 'image/svg+xml')],
    ['/app.js', await read(bundleDirectory, 'app.js', 'text/javascript; charset=utf-8')],
  ]);
}

function respond(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extra: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
  response.end(body);
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://127.0.0.1').pathname;
  } catch {
    return undefined;
  }
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8');
  return data.toString('utf8');
}

// A browser always sends Origin: only pages served by this dashboard may connect (a page of
// another site must not read the trading data). Tools without an Origin header may.
function sameOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && Number(url.port || '80') === port;
  } catch {
    return false;
  }
}
