import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { createPlatform, type Platform } from '../src/server/platform.ts';
import { eventHashId } from '../src/trace/epcis/event-hash.ts';
import { formatCheckpoint } from '../src/trace/log/checkpoint.ts';
import { leafHash } from '../src/trace/log/hashing.ts';
import { MemoryHashStore } from '../src/trace/log/memory-store.ts';
import { signNote } from '../src/trace/log/note.ts';
import { ed25519NoteSigner, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../src/trace/log/note-keys.ts';
import { FISH_GTIN, FISH_LOT, RICE_GTIN, RICE_LOT } from '../src/trace/web/testing/demo-journeys.ts';
import { type Browser, launchBrowser, screenshotDir, skipWithoutChromium } from './browser.ts';
import { type Api, apiClient, cosignLatest, seedDemoJourneys } from './trace-seed.ts';

/**
 * The whole platform in-process (SQLite file, trace backend, resolver) and a real Chromium:
 * a consumer opens a lot's GS1 Digital Link and the page verifies it in the browser against the
 * keys pinned from the server's configuration. Then the database is tampered with directly, and
 * then the operator rewrites history and re-signs it with the log key: both must be caught.
 */

const ADMIN = 'e2e-admin-key-0123456789abcdef';
const ORIGIN = 'truyxuat.cantho.example/trace/log';
const logKeys = generateNoteKeys(ORIGIN);
const witness = generateNoteKeys('skhcn.cantho.example/witness', SIG_TYPE_COSIGNATURE_V1);

let dir = '';
let p: Platform;
let base = '';
let api: Api;
let browser: Browser;
let events = 0;
const shots = screenshotDir();
const RICE = `/01/${RICE_GTIN}/10/${RICE_LOT}`;

const skip = skipWithoutChromium();

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'cantho-e2e-'));
  const config = loadConfig({
    DATABASE_URL: join(dir, 'e2e.db'),
    CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN,
    LOG_LEVEL: 'silent',
    MQTT_ENABLED: 'false',
    CANTHO_TRACE_LOG_KEY: logKeys.signerKey,
    CANTHO_TRACE_WITNESS_KEYS: witness.verifierKey,
    CANTHO_TRACE_WITNESS_QUORUM: '1',
    CANTHO_TRACE_CHECKPOINT_MS: '50',
  });
  p = await createPlatform(config, { logger: pino({ level: 'silent' }) });
  base = await p.app.listen({ host: '127.0.0.1', port: 0 });
  api = apiClient(base, ADMIN);
  events = await seedDemoJourneys(api);
  await cosignLatest(api, witness.signerKey, events);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await p?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(path: string, shot: string): Promise<{ page: Page; state: string | null; text: string; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const r = await page.goto(base + path);
  assert.equal(r?.status(), 200);
  await page.waitForSelector('#verify[data-state="verified"], #verify[data-state="failed"]', { timeout: 20_000 });
  await page.screenshot({ path: join(shots, `${shot}.png`) });
  await page.screenshot({ path: join(shots, `${shot}-full.png`), fullPage: true });
  return { page, state: await page.getAttribute('#verify', 'data-state'), text: (await page.textContent('#verify')) ?? '', errors };
}

test('a consumer opens the Digital Link of a demo lot: the browser verifies it and shows the badge', { skip }, async () => {
  const { page, state, text, errors } = await open(RICE, 'platform-verified');
  assert.equal(state, 'verified', text);
  assert.match(text, /Đã xác minh — dữ liệu không bị thay đổi/);
  assert.match((await page.textContent('h1')) ?? '', /Gạo ST25/);
  assert.equal(await page.locator('ol.journey > li.step-ok').count(), 6);
  assert.match((await page.textContent('#step-1')) ?? '', /07:30, 10\/04\/2025/);
  assert.equal(await page.locator('svg.journey-map').count(), 1);
  await page.locator('svg.journey-map').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'platform-verified-journey.png') });
  assert.deepEqual(errors, []);
  await page.close();
  const fish = await open(`/01/${FISH_GTIN}/10/${FISH_LOT}`, 'platform-fish-verified');
  assert.equal(fish.state, 'verified', fish.text);
  await fish.page.close();
});

test('one byte of a stored event changed in the database: the page warns and names the check', { skip }, async () => {
  const row = (await sql<{ leaf_index: number; event_json: string }>`SELECT leaf_index, event_json FROM trace_events WHERE event_json LIKE ${`%${RICE_LOT}%`} AND biz_step LIKE ${'%inspecting%'}`.execute(p.db.kysely)).rows[0];
  assert.ok(row, 'the inspecting event of the rice lot is stored');
  const tampered = row.event_json.replace('"quantity":1000', '"quantity":1001');
  assert.equal(tampered.length, row.event_json.length);
  await sql`UPDATE trace_events SET event_json = ${tampered} WHERE leaf_index = ${row.leaf_index}`.execute(p.db.kysely);
  try {
    const { page, state, text } = await open(RICE, 'platform-tampered');
    assert.equal(state, 'failed');
    assert.match(text, /Không xác minh được — dữ liệu có thể đã bị thay đổi/);
    assert.match(text, /Nội dung sự kiện không khớp với mã băm/);
    assert.doesNotMatch(text, /Đã xác minh/);
    assert.equal(await page.locator('ol.journey > li.step-bad').count(), 1);
    await page.close();
  } finally {
    await sql`UPDATE trace_events SET event_json = ${row.event_json} WHERE leaf_index = ${row.leaf_index}`.execute(p.db.kysely);
  }
});

test('the operator rewrites an event and re-signs the log with its own key: no witness cosigned it, the page warns', { skip }, async () => {
  const k = p.db.kysely;
  const row = (await sql<{ leaf_index: number; event_json: string }>`SELECT leaf_index, event_json FROM trace_events WHERE event_json LIKE ${`%${RICE_LOT}%`} AND biz_step LIKE ${'%commissioning%'}`.execute(k)).rows[0]!;
  // The rewrite: an earlier harvest date. Event hash and leaf recomputed, as the operator can.
  const ev = JSON.parse(row.event_json) as Record<string, unknown>;
  ev.eventTime = '2025-03-01T00:30:00.000Z';
  const newJson = JSON.stringify(ev);
  const { eventID: _id, recordTime: _rt, ...content } = ev;
  const newHash = eventHashId(content);
  await sql`UPDATE trace_events SET event_json = ${newJson}, event_hash = ${newHash}, event_time = ${Date.parse('2025-03-01T00:30:00.000Z')} WHERE leaf_index = ${row.leaf_index}`.execute(k);

  // Every leaf as published (tlog-tiles entry bundle), the rewritten one rebuilt.
  const size = events;
  const bundle = new Uint8Array(await (await fetch(`${base}/trace/log/tile/entries/000${size < 256 ? `.p/${size}` : ''}`)).arrayBuffer());
  const leaves: string[] = [];
  for (let at = 0; at < bundle.length; ) {
    const n = (bundle[at]! << 8) | bundle[at + 1]!;
    leaves.push(new TextDecoder().decode(bundle.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  assert.equal(leaves.length, size);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  leaves[row.leaf_index] = leaves[row.leaf_index]!.replace(/^event-hash .*$/m, `event-hash ${newHash}`).replace(/^event-json .*$/m, `event-json sha-256:${sha(newJson)}`);
  const store = new MemoryHashStore();
  for (const l of leaves) store.append(leafHash(new TextEncoder().encode(l)));
  const hashes = store.readHashes(Array.from({ length: store.storedCount }, (_, i) => i));
  await sql`DELETE FROM trace_log_hashes`.execute(k);
  for (const [i, h] of hashes.entries()) await sql`INSERT INTO trace_log_hashes (idx, hash) VALUES (${i}, ${Buffer.from(h)})`.execute(k);
  // Old checkpoints and cosignatures go; a new checkpoint signed with the genuine log key comes in.
  const note = signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: store.root() }), [ed25519NoteSigner(logKeys.signerKey)]);
  await sql`DELETE FROM trace_cosignatures`.execute(k);
  await sql`DELETE FROM trace_checkpoints`.execute(k);
  await sql`INSERT INTO trace_checkpoints (size, root, note, created_at) VALUES (${size}, ${Buffer.from(store.root())}, ${note}, ${Date.now()})`.execute(k);
  assert.equal((await api('GET', '/trace/log/checkpoint')).text, note, 'the server now serves the re-signed checkpoint');

  const { page, state, text } = await open(RICE, 'platform-resigned');
  assert.equal(state, 'failed');
  assert.match(text, /Không xác minh được/);
  assert.match(text, /Thiếu chữ ký đồng xác nhận hợp lệ của bên chứng kiến độc lập/);
  assert.doesNotMatch(text, /Chữ ký của sổ cái trên điểm kiểm tra \(checkpoint\) không hợp lệ/, 'the log signature itself is genuine');
  await page.close();
});

test('the resolver answers bad and unknown codes with Vietnamese pages, and serves QR codes', { skip }, async () => {
  const page = await browser.newPage();
  const bad = await page.goto(`${base}/01/${RICE_GTIN.slice(0, 13)}${(Number(RICE_GTIN[13]) + 1) % 10}/10/${RICE_LOT}`);
  assert.equal(bad?.status(), 400);
  assert.match((await page.textContent('main')) ?? '', /Mã không hợp lệ/);
  await page.screenshot({ path: join(shots, 'platform-400.png') });
  const nf = await page.goto(`${base}/01/${RICE_GTIN}/10/KHONG-CO`);
  assert.equal(nf?.status(), 404);
  assert.match((await page.textContent('main')) ?? '', /Không tìm thấy lô hàng KHONG-CO/);
  const qr = await fetch(`${base}${RICE}/qr.png`);
  assert.equal(qr.headers.get('content-type'), 'image/png');
  const label = await page.goto(`${base}${RICE}/label?copies=4`);
  assert.equal(label?.status(), 200);
  await page.screenshot({ path: join(shots, 'platform-label.png') });
  await page.close();
});
