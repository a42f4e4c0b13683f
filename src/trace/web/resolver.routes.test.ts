import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { loadConfig } from '../../config/config.ts';
import { registerTraceWebRoutes } from './resolver.routes.ts';
import { FISH_GTIN, FISH_LOT, RICE_GTIN, RICE_LOT } from './testing/demo-journeys.ts';
import { registerFixtureTraceApi } from './testing/fixture-api.ts';
import { buildDemoLog } from './testing/lot-fixture.ts';

/** The resolver's HTTP behaviour, over the fixture stand-in of the trace backend's API. */

let app: FastifyInstance;
const log = buildDemoLog();
const RICE = `/01/${RICE_GTIN}/10/${RICE_LOT}`;

before(async () => {
  app = Fastify();
  registerFixtureTraceApi(app, log);
  await registerTraceWebRoutes(app, { config: loadConfig({ CANTHO_PUBLIC_URL: 'https://truyxuat.cantho.example' }) });
  await app.ready();
});
after(() => app.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

test('the consumer page: Vietnamese, the journey with times in Asia/Ho_Chi_Minh, trace codes, pins, no badge yet', async () => {
  const r = await get(RICE, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /text\/html/);
  assert.match(r.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.match(r.headers.link as string, /rel="linkset"/);
  const h = r.body;
  assert.match(h, /<html lang="vi">/);
  assert.match(h, /Gạo ST25 Cờ Đỏ túi 5 kg/);
  assert.match(h, /Hành trình sản phẩm/);
  assert.match(h, new RegExp(`Mã truy vết sản phẩm</dt><dd><span class="code">\\(01\\)${RICE_GTIN}\\(10\\)${RICE_LOT}<`));
  assert.match(h, /Mã truy vết địa điểm/);
  assert.match(h, /Lô hàng/);
  // 2025-04-10T07:30+07:00 shown as 07:30, 10/04/2025; 2025-04-16T06:45+07:00 as 06:45, 16/04/2025.
  assert.match(h, />07:30, 10\/04\/2025</);
  assert.match(h, />06:45, 16\/04\/2025</);
  for (const s of ['Khởi tạo lô hàng', 'Sấy', 'Kiểm tra chất lượng', 'Đóng gói', 'Vận chuyển', 'Tiếp nhận']) assert.match(h, new RegExp(`data-field="step">${s}<`));
  assert.match(h, /Hợp tác xã Nông nghiệp Cờ Đỏ/);
  assert.match(h, /chip vietgap/);
  assert.match(h, /OCOP 4 sao/);
  assert.match(h, /<svg class="journey-map"/);
  assert.match(h, /sông Hậu/);
  assert.equal((h.match(/data-event-id=/g) ?? []).length, 6);
  // The badge is neutral: only the browser may claim "đã xác minh".
  assert.match(h, /Đang kiểm tra dữ liệu/);
  assert.doesNotMatch(h, /Đã xác minh/);
  // Pinned keys from the configuration, and the verifier with SRI.
  const cfg = JSON.parse(/<script type="application\/json" id="trace-config">(.*?)<\/script>/s.exec(h)![1]!);
  assert.deepEqual(cfg.pins, log.pins);
  assert.equal(cfg.lotApi, `/trace/api/lots/${RICE_GTIN}/${RICE_LOT}`);
  const src = /<script type="module" src="([^"]+)" integrity="(sha384-[^"]+)"/.exec(h)!;
  const js = await get(src[1]!.replace(/&amp;/g, '&'));
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /javascript/);
  const { createHash } = await import('node:crypto');
  assert.equal(`sha384-${createHash('sha384').update(js.rawPayload).digest('base64')}`, src[2]);
});

test('content negotiation: JSON data, linkset, linkType redirects', async () => {
  const j = await get(RICE, { accept: 'application/json' });
  assert.equal(j.statusCode, 200);
  assert.equal(j.json().lot, RICE_LOT);
  assert.equal(j.headers.vary, 'Accept');
  const ls = await get(`${RICE}?linkType=all`);
  assert.equal(ls.statusCode, 200);
  assert.match(ls.headers['content-type'] as string, /application\/linkset\+json/);
  const set = ls.json().linkset[0];
  assert.equal(set.anchor, `https://truyxuat.cantho.example${RICE}`);
  assert.equal(set['https://gs1.org/voc/defaultLink'][0].href, `https://truyxuat.cantho.example${RICE}`);
  assert.equal((await get(RICE, { accept: 'application/linkset+json' })).json().linkset.length, 1);
  const tr = await get(`${RICE}?linkType=gs1:traceability`);
  assert.equal(tr.statusCode, 307);
  assert.equal(tr.headers.location, `https://truyxuat.cantho.example/trace/api/lots/${RICE_GTIN}/${RICE_LOT}`);
  const ep = await get(`${RICE}?linkType=https://gs1.org/voc/epcis`);
  assert.equal(ep.statusCode, 307);
  assert.match(ep.headers.location as string, /\/epcis\/events\?MATCH_epcClass=https%3A%2F%2Fid\.gs1\.org%2F01%2F/);
  assert.equal((await get(`${RICE}?linkType=gs1:pip`, { accept: 'application/json' })).headers['content-type']?.toString().includes('text/html'), true);
  assert.equal((await get(RICE, { accept: 'image/avif' })).statusCode, 406);
  assert.equal((await get(`${RICE}?linkType=gs1:somethingElse`)).statusCode, 200, 'unknown link type → default link');
});

test('400 in Vietnamese for malformed codes, 404 for unknown lots; JSON for JSON clients', async () => {
  const wrong = `/01/${RICE_GTIN.slice(0, 13)}${(Number(RICE_GTIN[13]) + 1) % 10}/10/${RICE_LOT}`;
  const r = await get(wrong);
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /Mã không hợp lệ/);
  assert.match(r.body, /số kiểm tra/);
  assert.match(r.body, /<html lang="vi">/);
  const rj = await get(wrong, { accept: 'application/json' });
  assert.equal(rj.statusCode, 400);
  assert.equal(rj.json().details.ai, '01');
  const order = await get(`/01/${RICE_GTIN}/21/S1/10/L1`);
  assert.equal(order.statusCode, 400);
  assert.match(order.body, /sai thứ tự/);
  // CSET 82 allows < and >: the lot is well-formed, unknown, and shown escaped.
  const xss = await get(`/01/${RICE_GTIN}/10/%3Cscript%3E`);
  assert.equal(xss.statusCode, 404);
  assert.doesNotMatch(xss.body, /<script>/);
  assert.match(xss.body, /&lt;script&gt;/);
  const nf = await get(`/01/${RICE_GTIN}/10/KHONG-CO`);
  assert.equal(nf.statusCode, 404);
  assert.match(nf.body, /Không tìm thấy lô hàng KHONG-CO/);
  assert.equal((await get(`/01/${RICE_GTIN}/10/KHONG-CO`, { accept: 'application/json' })).json().code, 'NOT_FOUND');
  assert.equal((await get(`/01/${RICE_GTIN}`)).statusCode, 404);
  assert.equal((await get(`/01/${RICE_GTIN}/10/KHONG-CO/qr.svg`)).statusCode, 404);
  // GTIN-13 and short names resolve to the same lot.
  assert.equal((await get(`/01/${RICE_GTIN.slice(1)}/10/${RICE_LOT}`)).statusCode, 200);
  assert.equal((await get(`/gtin/${RICE_GTIN}/lot/${RICE_LOT}`)).statusCode, 200);
});

test('QR codes (SVG, PNG) carry the absolute Digital Link URI; the label sheet prints the trace codes', async () => {
  const url = `https://truyxuat.cantho.example/01/${FISH_GTIN}/10/${FISH_LOT}`;
  const svg = await get(`/01/${FISH_GTIN}/10/${FISH_LOT}/qr.svg`);
  assert.equal(svg.statusCode, 200);
  assert.match(svg.headers['content-type'] as string, /image\/svg\+xml/);
  const expected = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
  assert.equal(svg.body.replace(/^<svg role="img" aria-label="[^"]*" /, '<svg '), expected);
  const png = await get(`/01/${FISH_GTIN}/10/${FISH_LOT}/qr.png?size=300`);
  assert.equal(png.statusCode, 200);
  assert.equal(png.headers['content-type'], 'image/png');
  assert.deepEqual([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.rawPayload.readUInt32BE(16), 300, 'PNG width');
  assert.equal((await get(`/01/${FISH_GTIN}/10/${FISH_LOT}?format=png`)).headers['content-type'], 'image/png');
  const label = await get(`/01/${FISH_GTIN}/10/${FISH_LOT}/label?copies=4`);
  assert.equal(label.statusCode, 200);
  assert.equal((label.body.match(/class="label"/g) ?? []).length, 4);
  assert.match(label.body, /Mã truy vết sản phẩm/);
  assert.match(label.body, new RegExp(`\\(01\\)${FISH_GTIN}\\(10\\)${FISH_LOT}`));
  assert.match(label.body, /Cá tra phi lê/);
  assert.match(label.body, /12\/04\/2025/);
});

test('without CANTHO_PUBLIC_URL the QR code uses the request host', async () => {
  const a = Fastify();
  registerFixtureTraceApi(a, log);
  await registerTraceWebRoutes(a, { config: loadConfig({}) });
  const r = await a.inject({ method: 'GET', url: `${RICE}?linkType=all`, headers: { host: 'qr.example:8080' } });
  assert.equal(r.json().linkset[0].anchor, `http://qr.example:8080${RICE}`);
  await a.close();
});
