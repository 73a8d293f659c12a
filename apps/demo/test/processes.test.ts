// The three demo processes started on their own (as a user can), talking over a private
// registry without multicast: the data flows over shared memory, each process survives its
// peers being killed and resumes when they come back, and the dashboard's web server shrugs
// off bad input.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Child, killChildren } from '@seamless/test-support';
import type { ServerMessage } from '../src/dashboard-protocol.js';
import {
  DIST,
  QUICK_STRATEGY,
  dashboardUrl,
  eventually,
  line,
  privateRegistry,
  requireBuild,
  startProcess,
  stream,
} from './demo-processes.js';
import { PUBLISHER_OPTIONS } from '../src/topics.js';

const FEED_ARGS = ['--rate', '1500', '--seed', '7'];

describe('feed, algorithm and dashboard as separate processes', () => {
  let registry = { path: '', remove: (): void => undefined };
  let feed: Child;
  let algo: Child;
  let dashboard: Child;
  let url: string;

  beforeAll(async () => {
    requireBuild();
    registry = privateRegistry();
    dashboard = startProcess('dashboard-server', ['--port', '0'], registry.path);
    algo = startProcess('algo', QUICK_STRATEGY, registry.path);
    feed = startProcess('feed', FEED_ARGS, registry.path);
    url = await dashboardUrl(dashboard);
  }, 30_000);

  afterAll(async () => {
    await killChildren();
    registry.remove();
  });

  it('carry ticks, orders, fills and statistics over shared memory, with latency measured', async () => {
    const ids = ['ticks-to-algo', 'ticks-to-dashboard', 'orders', 'fills', 'stats'] as const;
    // The stream rows are measured once a second: wait for a window that saw every stream.
    const state = await eventually(url, 'prices of 8 symbols, a filled order, the algorithm online and every stream measured', (current) =>
      current.quotes.length >= 8 &&
      current.orders.some((order) => order.fill !== null) &&
      current.algo?.online === true &&
      ids.every((id) => stream(current, id).state === 'live')
        ? current
        : undefined,
    );
    for (const id of ids) {
      expect(stream(state, id).transports, id).toEqual(['shm']);
    }
    const ticks = stream(state, 'ticks-to-dashboard');
    expect(ticks.state).toBe('live');
    expect(ticks.latency?.p50).toBeGreaterThan(0);
    expect(ticks.malformed).toBe(0);
    expect(state.algo?.sameNetNamespace).toBe(true);
    const filled = state.orders.find((order) => order.fill !== null);
    expect(filled?.decisionLatency).toBeGreaterThan(0);
    expect(state.charts['AAPL']?.length).toBeGreaterThan(0);
  });

  it('survive the feed killed with SIGKILL, and resume with the feed that replaces it', async () => {
    const before = await eventually(url, 'the algorithm online', (current) => current.algo?.online === true && current.algo);
    await feed.kill('SIGKILL');
    const stalled = await eventually(url, 'the feed to be gone for the dashboard and the algorithm', (current) =>
      stream(current, 'ticks-to-dashboard').state === 'down' && stream(current, 'ticks-to-algo').state !== 'live' ? current : undefined,
    );
    expect(algo.process.exitCode).toBeNull();
    expect(dashboard.process.exitCode).toBeNull();
    const ticksThen = stalled.algo?.ticks ?? 0;
    const lastPrice = stalled.quotes.find((quote) => quote.symbol === 'AAPL')?.updatedAt ?? 0;

    feed = startProcess('feed', FEED_ARGS, registry.path);
    const resumed = await eventually(url, 'ticks from the new feed at the algorithm and the dashboard', (current) =>
      (current.algo?.ticks ?? 0) > ticksThen + 200 &&
      stream(current, 'ticks-to-dashboard').state === 'live' &&
      stream(current, 'ticks-to-algo').state === 'live' &&
      (current.quotes.find((quote) => quote.symbol === 'AAPL')?.updatedAt ?? 0) > lastPrice
        ? current
        : undefined,
    );
    // The same algorithm process, still on shared memory.
    expect(resumed.algo?.pid).toBe(before.pid);
    expect(stream(resumed, 'ticks-to-algo').transports).toEqual(['shm']);
  });

  it('survive the algorithm killed with SIGKILL, and show the one that replaces it', async () => {
    const before = await eventually(url, 'the algorithm online', (current) => current.algo?.online === true && current.algo);
    await algo.kill('SIGKILL');
    await eventually(url, 'the algorithm to be gone', (current) =>
      current.algo?.online === false && stream(current, 'stats').state === 'down' ? current : undefined,
    );
    expect(feed.process.exitCode).toBeNull();
    expect(dashboard.process.exitCode).toBeNull();
    algo = startProcess('algo', QUICK_STRATEGY, registry.path);
    const replaced = await eventually(url, 'the new algorithm online and trading', (current) =>
      current.algo?.online === true && current.algo.pid !== before.pid && current.algo.accepted > 0 ? current : undefined,
    );
    expect(replaced.algo?.pid).toBe(algo.process.pid);
  });

  it('keep the feed and the algorithm running when the dashboard is killed; a new dashboard finds them', async () => {
    const before = await eventually(url, 'the algorithm online', (current) => current.algo?.online === true && current.algo);
    await dashboard.kill('SIGKILL');
    dashboard = startProcess('dashboard-server', ['--port', '0'], registry.path);
    url = await dashboardUrl(dashboard);
    const state = await eventually(url, 'the new dashboard to see the same feed and algorithm', (current) =>
      current.algo?.online === true && current.algo.ticks > before.ticks && current.quotes.length >= 8 ? current : undefined,
    );
    expect(state.algo?.pid).toBe(before.pid);
    expect(feed.process.exitCode).toBeNull();
    expect(algo.process.exitCode).toBeNull();
  });

  it("ignores garbage on the dashboard's WebSocket; an oversized or broken frame closes only that connection", async () => {
    const socketUrl = url.replace('http:', 'ws:') + 'ws';
    const watcher = await open(socketUrl);
    const noisy = await open(socketUrl);
    // Garbage of every kind, then a ping: the pong proves the connection survived it all.
    for (const garbage of [
      'hello',
      '{',
      'null',
      '[1,2]',
      '{"type":"ping"}',
      '{"type":"ping","id":"x"}',
      '{"type":"subscribe","topic":"*"}',
    ])
      noisy.socket.send(garbage);
    noisy.socket.send(Buffer.from([0, 1, 2, 0xff, 0xfe]), { binary: true });
    noisy.socket.send(JSON.stringify({ type: 'ping', id: 42 }));
    expect(await noisy.next((message) => message.type === 'pong')).toMatchObject({ type: 'pong', id: 42 });

    const huge = await open(socketUrl);
    huge.socket.send('x'.repeat(1_000_000));
    expect(await huge.closed).toBe(1009); // message too big

    // A frame with a reserved opcode breaks the protocol: that connection is closed.
    expect(await brokenFrame(url)).toBe('closed');
    // Not HTTP at all.
    expect(await rawRequest(url, 'GARBAGE GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    // A page of another site may not read the dashboard.
    expect(await refusedUpgrade(socketUrl, 'http://evil.example')).toBe(403);

    // The page that behaved kept receiving updates throughout, and new connections work.
    const seen = watcher.messages.length;
    await watcher.next(() => watcher.messages.length > seen + 3);
    const late = await open(socketUrl);
    expect((await late.next((message) => message.type === 'snapshot')).type).toBe('snapshot');
    expect(noisy.socket.readyState).toBe(WebSocket.OPEN);
    expect(dashboard.process.exitCode).toBeNull();
    for (const client of [watcher, noisy, late]) client.socket.close();
  });

  it('refuse bad options with the reason and the usage (exit code 2), and print help (exit code 0)', async () => {
    const bad = Child.start(`${DIST}feed.js`, ['--rate', 'fast']);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.stderr).toMatch(/--rate must be a number/);
    expect(bad.stderr).toMatch(/Usage:/);
    const help = Child.start(`${DIST}algo.js`, ['--help']);
    const usage = await line(help, /^Usage:/);
    expect(usage[0]).toBe('Usage:');
    expect(await help.exited).toEqual({ code: 0, signal: null });
  });
});

describe('a dashboard restarted after the market closed', () => {
  // The feed sends a fixed number of ticks, then none: whatever a dashboard started afterwards
  // shows of the market can only have come from the publishers' history (each symbol's last
  // value, the algorithm's last statistics, its recent orders and fills), never from a live tick.
  const TICKS = 16_000;
  let registry = { path: '', remove: (): void => undefined };

  beforeAll(() => {
    requireBuild();
    registry = privateRegistry();
  });

  afterAll(async () => {
    await killChildren();
    registry.remove();
  });

  it("shows every symbol's last price, the P&L and the recent orders with their fills at once", async () => {
    const first = startProcess('dashboard-server', ['--port', '0'], registry.path);
    startProcess('algo', QUICK_STRATEGY, registry.path);
    const feed = startProcess('feed', ['--rate', '2000', '--seed', '11', '--ticks', String(TICKS)], registry.path);
    const firstUrl = await dashboardUrl(first);
    // The session as the first dashboard saw it: every symbol quoted and orders filled, then
    // the close, and nothing more arriving.
    await eventually(firstUrl, 'prices of 8 symbols and a filled order', (current) =>
      current.quotes.length === 8 && current.orders.some((order) => order.fill !== null) ? current : undefined,
    );
    await line(feed, new RegExp(`the market closed after ${TICKS} ticks`), 60_000);
    const closed = await eventually(firstUrl, 'the first dashboard to see the market closed', (current) =>
      stream(current, 'ticks-to-dashboard').state === 'idle' && current.algo?.online === true ? current : undefined,
    );
    const ordersSent = (closed.algo?.accepted ?? 0) + (closed.algo?.rejected ?? 0);
    expect(ordersSent).toBeGreaterThan(0);

    await first.kill('SIGKILL');
    const late = startProcess('dashboard-server', ['--port', '0'], registry.path);
    const lateUrl = await dashboardUrl(late);
    const history = Math.min(PUBLISHER_OPTIONS.orders.history, ordersSent);
    const state = await eventually(lateUrl, "every symbol's price, the statistics and the recent orders from history", (current) =>
      current.quotes.length === 8 &&
      current.algo !== null &&
      current.orders.length === history &&
      stream(current, 'ticks-to-dashboard').fromHistory === 8 &&
      stream(current, 'stats').fromHistory > 0
        ? current
        : undefined,
    );
    // Every price is the symbol's very last tick, published before this dashboard started.
    for (const quote of closed.quotes) {
      const shown = state.quotes.find((candidate) => candidate.symbol === quote.symbol);
      expect(shown, quote.symbol).toMatchObject({ bid: quote.bid, ask: quote.ask, last: quote.last, updatedAt: quote.updatedAt, ticks: 1 });
      expect(shown?.openAt, quote.symbol).toBeLessThan(state.server.startedAt);
    }
    const ticks = stream(state, 'ticks-to-dashboard');
    expect(ticks).toMatchObject({ total: 8, fromHistory: 8, publishers: 8, topics: 8, lost: 0, malformed: 0 });
    // The algorithm's P&L and positions as they stood at the close (marks no longer move).
    expect(state.algo).toMatchObject({ pid: closed.algo?.pid, total: closed.algo?.total, positions: closed.algo?.positions });
    // The blotter: the algorithm's last orders, each accepted one with its fill.
    expect(state.orders.map((order) => order.key)).toEqual(closed.orders.slice(0, history).map((order) => order.key));
    for (const order of state.orders) {
      expect(order.timestamp).toBeLessThan(state.server.startedAt);
      if (order.status === 'accepted') expect(order.fill, order.key).not.toBeNull();
    }
    // The feed saw the new dashboard come, once for all its symbols.
    await line(feed, new RegExp(`pid ${String(late.process.pid)}( on \\S+)? over shm attached`));
  }, 120_000);
});

interface Client {
  readonly socket: WebSocket;
  readonly messages: ServerMessage[];
  readonly closed: Promise<number>;
  next(accept: (message: ServerMessage) => boolean): Promise<ServerMessage>;
}

// A WebSocket client that keeps every message it receives.
async function open(address: string): Promise<Client> {
  const socket = new WebSocket(address);
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')) as ServerMessage);
    for (const wake of waiters) wake();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const next = (accept: (message: ServerMessage) => boolean): Promise<ServerMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error('timed out waiting for a WebSocket message'));
      }, 15_000);
      const check = (): void => {
        const found = messages.find(accept);
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return { socket, messages, closed, next };
}

// Opens a WebSocket by hand and sends a masked frame with the reserved opcode 0x3.
function brokenFrame(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded && chunk.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true;
        socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
      }
    });
    socket.on('close', () => {
      resolve(upgraded ? 'closed' : 'not upgraded');
    });
    socket.on('error', reject);
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, 10_000).unref();
  });
}

// Sends raw bytes to the HTTP port and returns what comes back.
function rawRequest(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('close', () => {
      resolve(reply);
    });
    socket.on('error', reject);
    socket.write(text);
  });
}

// The HTTP status a WebSocket upgrade from `origin` gets.
function refusedUpgrade(address: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address, { origin });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      reject(new Error(`an upgrade from ${origin} was accepted`));
    });
    socket.on('error', () => undefined);
  });
}
