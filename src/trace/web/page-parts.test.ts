import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiate } from './accept.ts';
import { esc, html, jsonScript } from './html.ts';
import { inCanTho, journeyMapSvg } from './journey-map.ts';
import { bareBizStep, bizStepLabel, orgKindLabel } from './step-labels.ts';
import { formatDate, formatDateTime, formatTime } from './vn-format.ts';

const OFFERS = ['text/html', 'application/json', 'application/linkset+json'] as const;

test('content negotiation (RFC 9110 §12.5.1)', () => {
  assert.equal(negotiate(undefined, OFFERS), 'text/html');
  assert.equal(negotiate('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', OFFERS), 'text/html');
  assert.equal(negotiate('application/json', OFFERS), 'application/json');
  assert.equal(negotiate('application/json;q=0.5, text/html;q=0.4', OFFERS), 'application/json');
  assert.equal(negotiate('*/*', OFFERS), 'text/html');
  assert.equal(negotiate('application/*', OFFERS), 'application/json');
  assert.equal(negotiate('application/linkset+json, application/json;q=0.9', OFFERS), 'application/linkset+json');
  assert.equal(negotiate('image/png', OFFERS), null);
  assert.equal(negotiate('text/html;q=0', OFFERS), null);
  assert.equal(negotiate('garbage', OFFERS), null);
});

test('HTML escaping and JSON in script blocks', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(html`<p>${'<b>'}${html`<i>ok</i>`}${['a', '<']}${null}${false}${0}</p>`.value, '<p>&lt;b&gt;<i>ok</i>a&lt;0</p>');
  const s = jsonScript({ x: '</script><script>alert(1)</script>', y: '\u2028&' }).value;
  assert.doesNotMatch(s, /<\/script>/);
  assert.deepEqual(JSON.parse(s), { x: '</script><script>alert(1)</script>', y: '\u2028&' });
});

test('Vietnamese formats in Asia/Ho_Chi_Minh whatever the zone of the record', () => {
  assert.equal(formatDate('2025-02-05T01:00:00Z'), '05/02/2025');
  assert.equal(formatTime('2025-02-05T01:00:00Z'), '08:00');
  assert.equal(formatDateTime('2025-02-04T23:30:00-02:00'), '08:30, 05/02/2025');
  assert.equal(formatTime('2025-02-05T17:00:00Z'), '00:00', '24-hour clock, midnight is 00:00');
  assert.equal(formatDate('not a date'), '');
});

test('CBV business steps in Vietnamese (GLOSSARY)', () => {
  assert.equal(bizStepLabel('shipping'), 'Vận chuyển');
  assert.equal(bizStepLabel('https://ref.gs1.org/cbv/BizStep-receiving'), 'Tiếp nhận');
  assert.equal(bizStepLabel('urn:epcglobal:cbv:bizstep:retail_selling'), 'Bán lẻ');
  assert.equal(bizStepLabel('https://cantho.example/voc/bizstep/drying'), 'Sấy');
  assert.equal(bizStepLabel('https://x.example/steps/de-husking'), 'de husking');
  assert.equal(bizStepLabel(null), 'Sự kiện');
  assert.equal(bareBizStep('https://ref.gs1.org/cbv/BizStep-packing'), 'packing');
  assert.equal(orgKindLabel('cooperative'), 'Hợp tác xã');
  assert.equal(orgKindLabel('unknown'), 'Đơn vị');
});

test('the journey map: points inside Can Tho only, nearby steps share a marker, labels escaped', () => {
  assert.equal(inCanTho(10.034, 105.788), true);
  assert.equal(inCanTho(10.776, 106.7), false, 'Ho Chi Minh City is outside');
  assert.equal(journeyMapSvg([{ n: 1, lat: 10.776, lon: 106.7, label: 'TP HCM' }], 't'), '');
  const svg = journeyMapSvg(
    [
      { n: 1, lat: 10.1187, lon: 105.4472, label: 'A' },
      { n: 2, lat: 10.1269, lon: 105.4608, label: 'B' },
      { n: 3, lat: 10.034, lon: 105.788, label: '<script>' },
      { n: 4, lat: 10.776, lon: 106.7, label: 'far' },
    ],
    'Bản đồ',
  );
  assert.match(svg, /^<svg class="journey-map"/);
  assert.match(svg, />1,2</);
  assert.match(svg, />3</);
  assert.doesNotMatch(svg, />4</);
  assert.doesNotMatch(svg, /<script>/);
  assert.match(svg, /&lt;script&gt;/);
});
