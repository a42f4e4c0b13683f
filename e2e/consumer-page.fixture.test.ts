import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config.ts';
import { registerTraceWebRoutes } from '../src/trace/web/resolver.routes.ts';
import { RICE_GTIN, RICE_LOT } from '../src/trace/web/testing/demo-journeys.ts';
import { registerFixtureTraceApi } from '../src/trace/web/testing/fixture-api.ts';
import { buildDemoLog, type DemoLog, resignCapture, rewriteEvent, signCheckpoint } from '../src/trace/web/testing/lot-fixture.ts';
import { type Browser, launchBrowser, screenshotDir, skipWithoutChromium } from './browser.ts';

/**
 * The consumer page in a real browser over the fixture stand-in of the trace API (no backend,
 * no database): the browser's own verifier shows the badge for an honest log, and a warning
 * naming the failed check after a stored event is altered or history is rewritten and re-signed.
 */

let browser: Browser;
let app: FastifyInstance;
let base = '';
let log: DemoLog;
const shots = screenshotDir();

const skip = skipWithoutChromium();

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  log = buildDemoLog();
  app = Fastify();
  // The fixture reads `log` on every request, so tests can tamper with it between page loads.
  registerFixtureTraceApi(app, new Proxy({} as DemoLog, { get: (_t, k) => (log as unknown as Record<string | symbol, unknown>)[k] }));
  await registerTraceWebRoutes(app, { config: loadConfig({}) });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.close();
});

async function open(name: string) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/01/${RICE_GTIN}/10/${RICE_LOT}`);
  await page.waitForSelector('#verify[data-state="verified"], #verify[data-state="failed"]', { timeout: 15_000 });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  return { page, errors };
}

test('honest log: the browser shows "đã xác minh"', { skip }, async () => {
  const { page, errors } = await open('fixture-verified');
  assert.equal(await page.getAttribute('#verify', 'data-state'), 'verified');
  assert.equal((await page.textContent('#verify-title'))?.trim(), 'Đã xác minh — dữ liệu không bị thay đổi');
  assert.equal(await page.locator('ol.journey > li.step-ok').count(), 6);
  assert.deepEqual(errors, []);
  await page.close();
});

test('one byte of a stored event changed: warning names the event-data check', { skip }, async () => {
  const e = log.entries.find((x) => x.journey === 0 && x.step === 2)!;
  const original = e.eventJson;
  e.eventJson = original.replace('"quantity":1000', '"quantity":1001');
  try {
    const { page } = await open('fixture-tampered');
    assert.equal(await page.getAttribute('#verify', 'data-state'), 'failed');
    const text = (await page.textContent('#verify')) ?? '';
    assert.match(text, /Không xác minh được — dữ liệu có thể đã bị thay đổi/);
    assert.match(text, /Nội dung sự kiện không khớp với mã băm/);
    assert.doesNotMatch(text, /Đã xác minh/);
    assert.equal(await page.locator('ol.journey > li.step-bad').count(), 1);
    assert.match((await page.textContent('#step-3 .step-warning')) ?? '', /không kiểm tra được/);
    await page.close();
  } finally {
    e.eventJson = original;
  }
});

test('operator rewrites an event and re-signs the checkpoint with the log key: warning names the witnesses', { skip }, async () => {
  const honest = log;
  log = buildDemoLog();
  log = Object.assign(log, { pins: honest.pins, logSignerKey: honest.logSignerKey, witnessSignerKeys: honest.witnessSignerKeys });
  rewriteEvent(log, 0, 0, (ev) => {
    ev.eventTime = '2025-03-01T00:30:00.000Z';
  });
  resignCapture(log, 0, 0); // custodial demo key: even the organisation's signature is re-made
  signCheckpoint(log, { cosign: false });
  try {
    const { page } = await open('fixture-resigned');
    assert.equal(await page.getAttribute('#verify', 'data-state'), 'failed');
    const text = (await page.textContent('#verify')) ?? '';
    assert.match(text, /Thiếu chữ ký đồng xác nhận hợp lệ của bên chứng kiến độc lập/);
    assert.doesNotMatch(text, /Chữ ký của sổ cái trên điểm kiểm tra \(checkpoint\) không hợp lệ/);
    await page.close();
  } finally {
    log = honest;
  }
});
