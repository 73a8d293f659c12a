// The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core
// (which never downloads a browser of its own here). Checks that the prices, the orders and
// the transport labels update live, that local streams show `shm`, and saves a screenshot to
// apps/demo/screenshots/dashboard.png.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killChildren } from '@seamless/test-support';
import type { Child } from '@seamless/test-support';
import type { ServerMessage } from '../src/dashboard-protocol.js';
import { QUICK_STRATEGY, eventually, line, privateRegistry, requireBuild, startProcess } from './demo-processes.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
const skipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (Debian's chromium package)`;
if (skipReason !== undefined) console.log(`browser test skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('the dashboard in headless Chromium', () => {
  let registry: ReturnType<typeof privateRegistry> | undefined;
  let launcher: Child | undefined;
  let url: string;
  let profile: string | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    requireBuild();
    registry = privateRegistry();
    launcher = startProcess('launch', ['--port', '0', '--rate', '2000', ...QUICK_STRATEGY], registry.path);
    url = (await line(launcher, /Seamless trading demo: (http:\/\/127\.0\.0\.1:\d+\/)/))[1] ?? '';
    profile = mkdtempSync(join(tmpdir(), 'seamless-demo-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    launcher?.process.kill('SIGINT');
    await launcher?.exited;
    await killChildren();
    registry?.remove();
  });

  it('shows prices, orders and transport labels updating live, the local streams over shared memory', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 15_000 }).toBe('live');

    // Prices: a row per symbol, and the last prices change while we watch.
    await expect.poll(() => page.locator('#quotes tbody tr[data-symbol]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(8);
    const lastPrices = (): Promise<string[]> => page.locator('#quotes tbody td.last').allTextContents();
    const before = await lastPrices();
    await expect.poll(lastPrices, { timeout: 15_000 }).not.toEqual(before);
    expect(await page.locator('#charts .chart-tile').count()).toBeGreaterThanOrEqual(8);

    // Orders: rows appear, and newer ones keep arriving.
    const firstOrder = (): Promise<string | null> =>
      page.locator('#orders tbody tr[data-order]').first().getAttribute('data-order', { timeout: 30_000 });
    const newest = await firstOrder();
    expect(newest).not.toBeNull();
    await expect.poll(firstOrder, { timeout: 30_000 }).not.toBe(newest);
    await expect.poll(() => page.locator('#orders .status-badge.filled').count(), { timeout: 15_000 }).toBeGreaterThan(0);

    // Transports: every stream of this one host is labelled shm, and its figures move.
    const label = (id: string): Promise<string | null> => page.locator(`#streams tr[data-stream="${id}"] .transport`).textContent();
    for (const id of ['ticks-to-algo', 'ticks-to-dashboard', 'orders', 'fills', 'stats']) {
      await expect.poll(() => label(id), { timeout: 15_000 }).toBe('shm');
    }
    for (const link of ['link-ticks-to-algo', 'link-ticks-to-dashboard', 'link-algo-to-dashboard']) {
      await expect.poll(() => page.locator(`#${link}`).getAttribute('data-transport'), { timeout: 15_000 }).toBe('shm');
    }
    // The market data is one row for the pattern, standing for every symbol's topic.
    await expect
      .poll(() => page.locator('#streams tr[data-stream="ticks-to-dashboard"] .topic').textContent(), { timeout: 15_000 })
      .toBe('md.>');
    await expect
      .poll(() => page.locator('#streams tr[data-stream="ticks-to-dashboard"] .topics').textContent(), { timeout: 15_000 })
      .toBe('8 topics');
    const figures = (): Promise<string[]> => page.locator('#streams tr[data-stream="ticks-to-dashboard"] td.num').allTextContents();
    const figuresBefore = await figures();
    await expect.poll(figures, { timeout: 15_000 }).not.toEqual(figuresBefore);
    await expect
      .poll(() => page.locator('#streams tr[data-stream="ticks-to-dashboard"] .p50').textContent(), { timeout: 15_000 })
      .toMatch(/\d+(\.\d)? (ns|µs|ms)/);

    // Let the charts and the P&L fill in a little, then keep a picture of it.
    await eventually(
      url,
      'a few seconds of chart history and some fills',
      (state) => (state.charts['AAPL']?.length ?? 0) >= 24 && (state.algo?.fills ?? 0) >= 4,
    );
    await page.waitForTimeout(500);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows every price, the P&L and the orders at once after a reload: the first message is a full snapshot', async () => {
    const firstMessage = new Promise<string>((resolve) => {
      page.once('websocket', (socket) => {
        socket.once('framereceived', (frame) => {
          resolve(String(frame.payload));
        });
      });
    });
    await page.reload();
    const first = JSON.parse(await firstMessage) as ServerMessage;
    expect(first.type).toBe('snapshot');
    if (first.type !== 'snapshot') return;
    expect(first.quotes.length).toBeGreaterThanOrEqual(8);
    expect(first.algo).not.toBeNull();
    expect(first.orders.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#quotes tbody tr[data-symbol]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(8);
    await expect.poll(() => page.locator('#orders tbody tr[data-order]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#pnl-total').textContent(), { timeout: 15_000 }).not.toBe('—');
  });
});
