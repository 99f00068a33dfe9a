// The browser side of dashboard.test.ts, run by the Lab inside the server's namespace (so the Chromium it starts
// is there too, and reaches the server on 127.0.0.1). It starts Debian's Chromium headless itself - its own
// flags, a temporary profile, DevTools on a loopback port - so it knows the browser's PID and stops it by that
// PID; playwright-core drives it over CDP. Every wait is bounded; a screenshot is taken at each step.
//
// The steps: a read token signs in through the form, finds the client's lease by its MAC, sees "Reserve"
// disabled and the read-only notice, and - the button forced on - is refused by the server with its message;
// the admin token (given once as ?token=, then gone from the address) finds the same lease, reserves it in one
// click, sees it among the reservations and reads the address's history; the read page, left open, then shows
// the lease as reserved by itself (its periodic refresh).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { emit, runChild } from '../lib/child.js';

export interface DashboardInput {
  base: string;
  admin: string;
  read: string;
  mac: string;
  ip: string;
  shots: string;
  chromium: string;
}

export interface DashboardResult {
  browserVersion: string;
  shots: string[];
  /** The admin page's address once the page has read ?token=. */
  adminAddress: string;
  readRole: string;
  readRowMacs: string[];
  readReserveDisabled: boolean;
  readReserveTitle: string;
  readNotice: string;
  readRefusal: string;
  adminRole: string;
  adminRowMacs: string[];
  reserveNotice: string;
  reservedTag: string;
  hostRow: { name: string; hardware: string; fixed: string };
  historyRows: number;
  poolText: string;
  chartLibrary: string;
  events: number;
  readSeesReservation: string;
  pageErrors: string[];
  /** Console lines about the Content-Security-Policy (a blocked script or style). */
  cspViolations: string[];
  stepsMs: Record<string, number>;
}

const STEP_MS = 15_000;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox', // the test runs as root
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-extensions',
  '--disable-component-update',
  '--disable-background-networking',
  '--disable-default-apps',
  '--disable-sync',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--mute-audio',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
  '--window-size=1400,1000',
];

/** Chromium in a process group of its own; resolves once its DevTools endpoint is printed. */
function startChromium(path: string, profile: string): { proc: ChildProcess; endpoint: Promise<string> } {
  const proc = spawn(path, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let err = '';
  const endpoint = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools address in 20 s:\n${err}`)), 20_000);
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      if (err.length < 65_536) err += chunk;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code ?? signal}) before it listened:\n${err}`));
    });
  });
  return { proc, endpoint };
}

/** Browser.close, then the process group (by the browser's PID) killed if it is still there after 5 s. */
async function stopChromium(proc: ChildProcess, browser: Browser | undefined): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  if (browser !== undefined) {
    try {
      const cdp = await browser.newBrowserCDPSession();
      await Promise.race([cdp.send('Browser.close'), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // the connection went with the browser
    }
  }
  const killed = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 5000)),
  ]);
  if (killed && proc.pid !== undefined) {
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}

async function main(input: DashboardInput): Promise<DashboardResult> {
  mkdirSync(input.shots, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'lh-chromium-'));
  const { proc, endpoint } = startChromium(input.chromium, profile);
  emit('browser', { pid: proc.pid });
  let browser: Browser | undefined;
  try {
    browser = await chromium.connectOverCDP(await endpoint, { timeout: 20_000 });
    return await drive(browser, input);
  } finally {
    await stopChromium(proc, browser);
    rmSync(profile, { recursive: true, force: true });
  }
}

async function drive(browser: Browser, input: DashboardInput): Promise<DashboardResult> {
  const shots: string[] = [];
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const stepsMs: Record<string, number> = {};
  let clock = Date.now();
  const step = (name: string) => {
    stepsMs[name] = Date.now() - clock;
    clock = Date.now();
  };
  const open = async (ctx: BrowserContext): Promise<Page> => {
    const page = await ctx.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute)/.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  };
  const shot = async (page: Page, name: string) => {
    const path = join(input.shots, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true, timeout: STEP_MS });
    shots.push(path);
  };
  const viewport = { viewport: { width: 1400, height: 1000 } };
  const leaseRow = (page: Page) => page.locator(`#lease-rows tr[data-ip="${input.ip}"]`);
  const rowMacs = (page: Page) =>
    page.$$eval('#lease-rows tr[data-ip]', (rows) => rows.map((r) => r.getAttribute('data-mac') ?? ''));
  const search = async (page: Page) => {
    await page.fill('#lease-search', input.mac);
    await page.press('#lease-search', 'Enter');
    await page.locator('#lease-search-as', { hasText: 'hardware address' }).waitFor();
    await leaseRow(page).waitFor();
  };

  // ---- read token, through the sign-in form
  const readPage = await open(await browser.newContext(viewport));
  await readPage.goto(`${input.base}/dashboard/`, { timeout: STEP_MS });
  await readPage.locator('#login-token').waitFor();
  await shot(readPage, 'read-sign-in');
  await readPage.fill('#login-token', input.read);
  await readPage.click('#login-form button[type=submit]');
  await readPage.locator('#role[data-role="read"]').waitFor();
  await readPage.locator('#read-only').waitFor(); // visible
  await search(readPage);
  const readReserve = leaseRow(readPage).locator('button[data-action="reserve"]');
  const readReserveDisabled = await readReserve.isDisabled();
  const readReserveTitle = (await readReserve.getAttribute('title')) ?? '';
  const readNotice = (await readPage.locator('#read-only').innerText()).trim();
  const readRowMacs = await rowMacs(readPage);
  await shot(readPage, 'read-lease-found-reserve-disabled');
  step('read: sign in, find the lease');
  // the button forced on and clicked at once (a refresh may redraw the table at any time): the server refuses,
  // the page says why
  await readReserve.evaluate((node) => {
    const b = node as unknown as { disabled: boolean; click(): void }; // a <button> (no DOM types here)
    b.disabled = false;
    b.click();
  });
  const refusal = readPage.locator('#notice[data-kind="error"]');
  await refusal.waitFor();
  const readRefusal = (await refusal.innerText()).trim();
  await shot(readPage, 'read-reserve-refused');
  step('read: forced reserve refused');

  // ---- admin token, once in the address
  const adminPage = await open(await browser.newContext(viewport));
  await adminPage.goto(`${input.base}/?token=${encodeURIComponent(input.admin)}`, { timeout: STEP_MS });
  await adminPage.locator('#role[data-role="admin"]').waitFor();
  const adminAddress = adminPage.url();
  await adminPage.locator('#pool-rows tr[data-pool]').first().waitFor();
  await adminPage.locator('#event-log li').first().waitFor();
  const poolText = (await adminPage.locator('#pool-rows tr[data-pool]').first().innerText()).replace(/\s+/g, ' ');
  const chartLibrary = await adminPage.evaluate(() => typeof (globalThis as { Chart?: unknown }).Chart);
  await shot(adminPage, 'admin-overview');
  await search(adminPage);
  const adminRowMacs = await rowMacs(adminPage);
  await shot(adminPage, 'admin-lease-found');
  step('admin: open, find the lease');
  await leaseRow(adminPage).locator('button[data-action="reserve"]').click();
  const ok = adminPage.locator('#notice[data-kind="ok"]');
  await ok.waitFor();
  const reserveNotice = (await ok.innerText()).trim();
  const tag = leaseRow(adminPage).locator('[data-reserved]');
  await tag.waitFor();
  const reservedTag = (await tag.innerText()).trim();
  const host = adminPage.locator(`#host-rows tr[data-mac="${input.mac}"]`);
  await host.waitFor();
  const cells = await host.locator('td').allInnerTexts();
  await shot(adminPage, 'admin-reserved');
  step('admin: reserve');
  // the history is written off the fsync path: asked again until the address's first change is there
  const historyRow = adminPage.locator(`#history-rows tr[data-ip="${input.ip}"]`).first();
  for (let until = Date.now() + STEP_MS; ; ) {
    await leaseRow(adminPage).locator('button[data-action="history"]').click();
    const found = await historyRow.waitFor({ timeout: 1000 }).then(
      () => true,
      () => false,
    );
    if (found) break;
    if (Date.now() > until) throw new Error(`no history of ${input.ip} shown within ${STEP_MS} ms`);
  }
  const historyRows = await adminPage.locator('#history-rows tr').count();
  const events = await adminPage.locator('#event-log li').count();
  await shot(adminPage, 'admin-history');
  step('admin: history');

  // ---- the read page, left open, catches up by itself (reservations every 10 s, leases every 5 s)
  const seen = leaseRow(readPage).locator('[data-reserved]');
  await seen.waitFor({ timeout: 25_000 });
  const readSeesReservation = (await seen.innerText()).trim();
  await shot(readPage, 'read-sees-reservation');
  step('read: sees the reservation');

  return {
    browserVersion: browser.version(),
    shots,
    adminAddress,
    readRole: (await readPage.locator('#role').innerText()).trim(),
    readRowMacs,
    readReserveDisabled,
    readReserveTitle,
    readNotice,
    readRefusal,
    adminRole: (await adminPage.locator('#role').innerText()).trim(),
    adminRowMacs,
    reserveNotice,
    reservedTag,
    hostRow: { name: cells[0] ?? '', hardware: cells[1] ?? '', fixed: cells[2] ?? '' },
    historyRows,
    poolText,
    chartLibrary,
    events,
    readSeesReservation,
    pageErrors,
    cspViolations,
    stepsMs,
  };
}

runChild(main, 110_000);
