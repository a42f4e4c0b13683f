import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seedNetwork } from '../src/ingest/testing.ts';
import { forEachBackend } from '../src/testing/platform.ts';
import { type Browser, launchBrowser, screenshotDir, skipWithoutChromium } from './browser.ts';

/**
 * The landing page in a real Chromium: the latest value of each public Datastream, then new
 * Observations as they are committed (Server-Sent Events), also those committed before the stream
 * began and while it was cut, before the first event too (EventSource reconnects with
 * Last-Event-ID). Private Datastreams stay off the page.
 */

const skip = skipWithoutChromium();
let browser: Browser;

before(async () => {
  if (!skip) browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

forEachBackend((t) => {
  test('the landing page shows the latest values and keeps them current over SSE, across a reconnect too', { skip }, async () => {
    const net = await seedNetwork(t);
    const post = async (ds: number, result: number, at: string) => {
      const r = await t.api('POST', `/v1.1/Datastreams(${ds})/Observations`, { phenomenonTime: at, result });
      assert.equal(r.status, 201, r.text);
    };
    await post(net.waterLevel, 1.25, '2026-11-27T01:00:00Z');
    await post(net.privateStream, 7.5, '2026-11-27T01:00:00Z');
    const base = await t.p.app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      // The stream's request is held back until the test lets it go.
      let streamAsked!: () => void;
      const asked = new Promise<void>((r) => (streamAsked = r));
      let letGo!: () => void;
      const released = new Promise<void>((r) => (letGo = r));
      await page.route('**/api/live?**', async (route) => {
        streamAsked();
        await released;
        await route.continue();
      });
      await page.goto(`${base}/`);
      await asked;
      const cell = (ds: number, n: number) => page.locator(`tr[data-datastream="${ds}"] td`).nth(n);
      // The value stored before the page opened, in Vietnamese number and time formats.
      assert.equal(await cell(net.waterLevel, 1).textContent(), '1,25 m');
      assert.equal(await cell(net.waterLevel, 2).textContent(), '08:00:00 27/11/26');
      assert.equal(await cell(net.salinity, 1).textContent(), '—');
      assert.equal(await page.locator(`tr[data-datastream="${net.privateStream}"]`).count(), 0, 'a private Datastream is not on the public page');
      // Stored after the page read the values and before its stream began: it shows once the stream is open.
      await post(net.waterLevel, 1.3, '2026-11-27T01:01:00Z');
      letGo();
      await page.waitForSelector('#live-status[data-state=live]', { timeout: 10_000 });
      await page.waitForFunction((ds) => document.querySelector(`tr[data-datastream="${ds}"] td.num`)?.textContent === '1,3 m', net.waterLevel, { timeout: 5_000 });

      // Cut off before its first event: EventSource resumes from where the stream stood when it
      // opened (an event id without data), so what was committed meanwhile still arrives.
      t.p.ingest.live.close();
      await page.waitForSelector('#live-status[data-state=reconnecting]', { timeout: 5_000 });
      await post(net.waterLevel, 1.5, '2026-11-27T01:02:00Z');
      await page.waitForSelector('#live-status[data-state=live]', { timeout: 10_000 });
      await page.waitForFunction((ds) => document.querySelector(`tr[data-datastream="${ds}"] td.num`)?.textContent === '1,5 m', net.waterLevel, { timeout: 5_000 });

      // Live: a new value appears without a reload, highlighted.
      await post(net.salinity, 0.42, '2026-11-27T01:05:00Z');
      await page.waitForFunction((ds) => document.querySelector(`tr[data-datastream="${ds}"] td.num`)?.textContent === '0,42 m', net.salinity, { timeout: 5_000 });
      assert.match((await page.locator(`tr[data-datastream="${net.salinity}"]`).getAttribute('class')) ?? '', /fresh/);

      // The server cuts every stream; what is committed meanwhile arrives after the reconnect.
      t.p.ingest.live.close();
      await page.waitForSelector('#live-status[data-state=reconnecting]', { timeout: 5_000 });
      await post(net.waterLevel, 1.75, '2026-11-27T01:10:00Z');
      await page.waitForSelector('#live-status[data-state=live]', { timeout: 10_000 });
      await page.waitForFunction((ds) => document.querySelector(`tr[data-datastream="${ds}"] td.num`)?.textContent === '1,75 m', net.waterLevel, { timeout: 5_000 });
      assert.equal(await cell(net.waterLevel, 2).textContent(), '08:10:00 27/11/26');
      // An older value that arrives late does not replace a newer one.
      await post(net.waterLevel, 9.99, '2026-11-27T00:00:00Z');
      await post(net.salinity, 0.5, '2026-11-27T01:15:00Z');
      await page.waitForFunction((ds) => document.querySelector(`tr[data-datastream="${ds}"] td.num`)?.textContent === '0,5 m', net.salinity, { timeout: 5_000 });
      assert.equal(await cell(net.waterLevel, 1).textContent(), '1,75 m');

      const shots = screenshotDir();
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `landing-live-${t.backend.dialect}.png`), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
