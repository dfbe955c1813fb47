// Shared by every ui/e2e/*.e2e.mjs script (UiEndToEndIT runs each in turn against one server):
// the server under test, the browser, logging in, and the checks the scripts have in common.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BASE = (process.env.STRATA_URL ?? 'http://localhost:8080').replace(/\/$/, '');
export const USER = process.env.STRATA_USER ?? 'admin';
export const PASSWORD = process.env.STRATA_PASSWORD;
export const OUT = path.resolve(process.env.E2E_OUT ?? 'target/ui-e2e');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// A dashboard with fast charts and one whose query sleeps in Postgres (UiEndToEndIT makes it).
export const SLOW_DASHBOARD = process.env.E2E_SLOW_DASHBOARD;
export const TIMEOUT = 60_000;

if (!PASSWORD) {
  console.error('STRATA_PASSWORD is not set (the admin password of the server under test)');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: install Debian's Chromium with 'apt-get install -y chromium' (.ci/run does); Playwright's own browser download does not work on these machines`);
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

export const results = [];
export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}
export async function step(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    const ms = Date.now() - t;
    results.push({ name, ok: true, ms, detail });
    console.log(`✓ ${name} (${ms} ms)${detail ? ' — ' + JSON.stringify(detail) : ''}`);
  } catch (e) {
    results.push({ name, ok: false, error: String(e.stack ?? e) });
    console.log(`✗ ${name}: ${e.stack ?? e}`);
    throw e;
  }
}

/** Waits until every chart card is ready or failed and each chart canvas has drawn a frame. */
export async function waitForCharts(page, expected) {
  await page.waitForFunction((n) => {
    const cards = [...document.querySelectorAll('.chart-card')];
    if (cards.length < n) return false;
    return cards.every((c) => {
      const s = c.getAttribute('data-chart-state');
      if (s === 'error') return true;
      if (s !== 'ready') return false;
      const t = c.getAttribute('data-chart-type');
      if (['line', 'bar', 'area', 'pie', 'scatter', 'heatmap', 'combo', 'funnel'].includes(t)) return !!c.querySelector('.echart[data-rendered="true"]') || !!c.querySelector('.chart-empty');
      if (t === 'table' || t === 'pivot') return !!c.querySelector('.ag-row') || !!c.querySelector('.chart-empty');
      return true;
    });
  }, expected, { timeout: TIMEOUT });
}

/** What each chart shows: state, whether it drew, and a signature of its data. */
export async function chartReport(page) {
  return page.evaluate(() => [...document.querySelectorAll('.chart-card')].map((c) => {
    const type = c.getAttribute('data-chart-type');
    let painted = 0;
    let signature = '';
    const canvas = c.querySelector('.echart canvas');
    if (canvas) {
      const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let hash = 0;
      for (let i = 3; i < d.length; i += 4) {
        if (d[i] > 0) painted++;
        if (i % 401 === 3) hash = (hash * 31 + d[i - 3] + d[i - 2] * 7 + d[i - 1] * 13 + d[i]) | 0;
      }
      signature = String(hash);
    }
    const rows = c.querySelectorAll('.ag-center-cols-container .ag-row').length;
    if (rows) signature = [...c.querySelectorAll('.ag-row')].slice(0, 6).map((r) => r.textContent).join('|');
    const value = c.querySelector('.big-number')?.getAttribute('data-value') ?? null;
    if (value !== null) signature = value + ' ' + (c.querySelector('.big-number .value')?.textContent ?? '');
    return {
      title: c.getAttribute('data-chart-title'), type, state: c.getAttribute('data-chart-state'),
      error: c.querySelector('.chart-error')?.textContent ?? null, empty: !!c.querySelector('.chart-empty'),
      painted, rows, value, signature, tier: c.querySelector('.cache-tag')?.getAttribute('data-tier') ?? null,
    };
  }));
}

export function assertAllDrew(report) {
  for (const c of report) {
    check(c.state === 'ready', `chart "${c.title}" is ${c.state}${c.error ? ': ' + c.error : ''}`);
    check(!c.empty, `chart "${c.title}" answered no rows`);
    if (['line', 'bar', 'area', 'pie', 'scatter', 'heatmap', 'combo', 'funnel'].includes(c.type)) check(c.painted > 500, `chart "${c.title}" canvas is blank (${c.painted} painted pixels)`);
    if (c.type === 'table' || c.type === 'pivot') check(c.rows > 0, `table "${c.title}" has no rows`);
    if (c.type === 'number') check(c.value !== null && c.value !== 'null' && c.value !== '', `big number "${c.title}" has no value`);
    check(c.tier !== null, `chart "${c.title}" shows no data origin tag`);
  }
}

/** Picks `text` in an antd Select found by `selector`: opens it, types, presses Enter. */
export async function pick(page, selector, text) {
  const select = page.locator(selector).first();
  await select.click();
  await page.keyboard.type(text, { delay: 20 });
  await page.waitForSelector('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { timeout: TIMEOUT });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

/**
 * Starts Chromium with a fresh profile. Returns the context, its first page, and the page errors
 * and requests outside the server seen so far (every script checks both at its end).
 */
export async function launch(viewport = { width: 1440, height: 1000 }) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) external.push(r.url()); });
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, consoleErrors, external, close };
}

/** Logs in through the login page and waits for the dashboards list. */
export async function login(page) {
  await page.goto(BASE + '/dashboards');
  await page.waitForSelector('#username');
  await page.fill('#username', USER);
  await page.fill('#password', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=dashboard-card][data-name="Retail overview"]');
}

/**
 * Runs a script's scenarios: launches the browser, calls {@code body(page, env)}, screenshots a
 * failure to OUT/<name>-failure.png, checks no page errors and no outside requests, writes
 * OUT/<name>-results.json and exits 0 or 1.
 */
export async function run(name, body, viewport) {
  const env = await launch(viewport);
  let failed = false;
  try {
    await body(env.page, env);
    await step(`${name}: nothing was fetched from outside the server, no page errors`, async () => {
      check(env.external.length === 0, `requests outside the server: ${env.external.slice(0, 5)}`);
      check(env.consoleErrors.length === 0, `page errors: ${env.consoleErrors.slice(0, 3)}`);
    });
  } catch (e) {
    failed = true;
    await env.page.screenshot({ path: path.join(OUT, `${name}-failure.png`), fullPage: true }).catch(() => undefined);
  } finally {
    await env.close();
  }
  fs.writeFileSync(path.join(OUT, `${name}-results.json`), JSON.stringify(results, null, 2) + '\n');
  console.log(failed ? `${name}: FAILED` : `${name}: all ${results.length} scenarios passed`);
  process.exit(failed ? 1 : 0);
}
