import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SnapshotMessage, UpdateMessage } from './dashboard-protocol.js';
import type { ProcessLog } from './process-lifecycle.js';
import { DashboardWebServer } from './web-server.js';
import type { WebAsset } from './web-server.js';

const server = { pid: 1, hostname: 'box', netNamespace: 'net:[1]', startedAt: 0, clients: 0 };
const assets = new Map<string, WebAsset>([
  ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>t</title>') }],
  ['/app.js', { contentType: 'text/javascript; charset=utf-8', body: Buffer.from('export {};') }],
]);
const warnings: string[] = [];
const log: ProcessLog = { info: () => undefined, warn: (line) => warnings.push(line), error: (line) => warnings.push(line) };

let snapshots = 0;
function snapshot(): SnapshotMessage {
  snapshots++;
  return {
    type: 'snapshot',
    time: 0,
    quotes: [],
    streams: [],
    algo: null,
    server,
    windowSeconds: 120,
    charts: {},
    pnlHistory: [],
    orders: [],
  };
}

function update(padding = 0): UpdateMessage {
  return {
    type: 'update',
    time: padding,
    quotes: [],
    streams: [],
    algo: null,
    server: { ...server, hostname: 'x'.repeat(padding) },
    points: {},
    pnlPoints: [],
    orders: [],
  };
}

const started: DashboardWebServer[] = [];
async function start(options: { maxClients?: number; maxBufferedBytes?: number } = {}): Promise<DashboardWebServer> {
  const web = await DashboardWebServer.start({ port: 0, assets, snapshot, log, ...options });
  started.push(web);
  return web;
}

function connect(web: DashboardWebServer, origin?: string): Promise<{ socket: WebSocket; types: string[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${web.port}/ws`, origin === undefined ? {} : { origin });
  const types: string[] = [];
  socket.on('message', (data: Buffer) => types.push((JSON.parse(data.toString()) as { type: string }).type));
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve({ socket, types });
    });
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${String(response.statusCode)}`));
    });
    socket.once('error', reject);
  });
}

const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

afterEach(async () => {
  await Promise.all(started.splice(0).map((web) => web.close()));
});

describe('DashboardWebServer', () => {
  it('serves the assets, the snapshot and a health check on 127.0.0.1, with security headers, and nothing else', async () => {
    const web = await start();
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/`);
    const page = await fetch(web.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>t</title>');
    expect((await fetch(new URL('/app.js', web.url))).headers.get('content-type')).toMatch(/javascript/);
    expect(((await (await fetch(new URL('/api/snapshot', web.url))).json()) as SnapshotMessage).type).toBe('snapshot');
    expect(await (await fetch(new URL('/healthz', web.url))).text()).toBe('ok\n');
    expect((await fetch(new URL('/../../etc/passwd', web.url))).status).toBe(404);
    expect((await fetch(new URL('/nope', web.url))).status).toBe(404);
    const post = await fetch(web.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(web.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('refuses a port in use with what to do', async () => {
    const web = await start();
    await expect(DashboardWebServer.start({ port: web.port, assets, snapshot, log })).rejects.toThrow(/in use: pass --port/);
  });

  it('sends a snapshot on connect and then every update', async () => {
    const web = await start();
    const page = await connect(web);
    await until(() => page.types.length === 1);
    await until(() => web.clients === 1);
    web.broadcast(update());
    web.broadcast(update());
    await until(() => page.types.length === 3);
    expect(page.types).toEqual(['snapshot', 'update', 'update']);
    page.socket.close();
    await until(() => web.clients === 0);
  });

  it('refuses pages of other origins and connections beyond the limit; allows its own origin and tools without one', async () => {
    const web = await start({ maxClients: 2 });
    await expect(connect(web, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(web, `http://localhost:${web.port + 1}`)).rejects.toThrow('HTTP 403');
    const own = await connect(web, `http://localhost:${web.port}`);
    const tool = await connect(web);
    await expect(connect(web)).rejects.toThrow('HTTP 503');
    const wrongPath = new WebSocket(`ws://127.0.0.1:${web.port}/other`);
    const status = await new Promise<number>((resolve) => {
      wrongPath.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
      });
      wrongPath.once('error', () => undefined);
    });
    expect(status).toBe(404);
    own.socket.close();
    tool.socket.close();
  });

  it('stops sending updates to a page that does not read, and sends it a fresh snapshot once it catches up', async () => {
    const web = await start({ maxBufferedBytes: 64 * 1024 });
    const page = await connect(web);
    await until(() => web.clients === 1 && page.types.length === 1);
    const transport = (page.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    transport.pause();
    // Large updates pile up in the server's send buffer until it refuses to add more.
    for (let round = 0; round < 400 && web.counters.skippedUpdates === 0; round++) {
      web.broadcast(update(64 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(web.counters.skippedUpdates).toBeGreaterThan(0);
    const snapshotsBefore = snapshots;
    transport.resume();
    // Once drained, the next broadcast brings a snapshot (the page missed updates), then updates again.
    await until(() => {
      web.broadcast(update());
      return snapshots > snapshotsBefore;
    });
    web.broadcast(update());
    await until(() => page.types.lastIndexOf('snapshot') > 0 && page.types.lastIndexOf('update') > page.types.lastIndexOf('snapshot'));
    page.socket.close();
  });

  it('closes a connection that sends more than 4 KiB, answers pings, and counts the rest as ignored', async () => {
    const web = await start();
    const page = await connect(web);
    page.socket.send('not json');
    page.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    page.socket.send('{"type":"ping","id":3}');
    await until(() => page.types.includes('pong'));
    expect(web.counters.ignoredMessages).toBe(2);
    const code = new Promise<number>((resolve) => page.socket.once('close', resolve));
    page.socket.send('x'.repeat(5000));
    expect(await code).toBe(1009);
    await until(() => web.counters.closedConnections === 1);
    expect(warnings.some((line) => line.includes('closed a page'))).toBe(true);
  });
});
