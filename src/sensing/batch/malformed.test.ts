// Malformed batches (OData 4.0 Part 1 §11.7, RFC 2046 §5.1, OData JSON 4.01 §19) are refused as a
// whole with 400 INVALID_BATCH naming the problem, before any request runs; never a 500.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { forEachBackend } from '../../testing/platform.ts';
import { seedBasic } from '../conformance/fixtures.ts';
import { changeset, httpPart, multipart } from './batch-fixtures.ts';
import { boundaryOf, splitMultipart } from './multipart.ts';

const B = 'b1';
const post = httpPart('POST Things HTTP/1.1', { id: 'p', body: { name: 'must-not-exist', description: 'x' } });

test('splitMultipart: quoted boundary, look-alike lines inside bodies, empty parts', () => {
  assert.equal(boundaryOf('multipart/mixed; boundary="a b:c"'), 'a b:c');
  assert.equal(boundaryOf('Multipart/Mixed;Boundary=x;charset=utf-8'), 'x');
  const parts = splitMultipart('--x\r\nA: 1\r\n\r\n--xy not a delimiter\r\n--x \r\n\r\n--x--', 'x');
  assert.deepEqual(parts.map((p) => [[...p.headers], p.body]), [[[['a', '1']], '--xy not a delimiter'], [[], '']]);
  for (const ct of ['multipart/mixed', 'multipart/mixed; boundary=', `multipart/mixed; boundary=${'x'.repeat(71)}`, 'multipart/mixed; boundary="a "']) {
    assert.throws(() => boundaryOf(ct), (e) => e instanceof AppError && e.code === 'INVALID_BATCH', ct);
  }
});

forEachBackend((t) => {
  before(async () => {
    await seedBasic(t);
  });

  const multipartCases: [string, string, RegExp, string?][] = [
    ['no boundary parameter', multipart(B, [post]), /no boundary/, 'multipart/mixed'],
    ['no delimiter line', 'just text', /no delimiter/],
    ['no close delimiter', `--${B}\r\n${post}\r\n`, /close delimiter/],
    ['empty body', '', /missing|no delimiter/],
    ['nested change set', multipart(B, [post, changeset('cs1', [changeset('cs2', [httpPart('POST Things HTTP/1.1', { id: 'x', body: {} })])])]), /cannot be nested/],
    ['GET in a change set', multipart(B, [post, changeset('cs', [httpPart('GET Things HTTP/1.1', { id: 'g' })])]), /cannot hold a GET/],
    ['empty change set', multipart(B, [post, 'Content-Type: multipart/mixed; boundary=cs\r\n\r\n--cs--']), /holds no requests/],
    ['bad request line', multipart(B, [post, 'Content-Type: application/http\r\n\r\nGARBAGE\r\n\r\n']), /request line/],
    ['unsupported method', multipart(B, [post, httpPart('MERGE Things(1) HTTP/1.1')]), /MERGE/],
    ['part of another type', multipart(B, [post, 'Content-Type: text/plain\r\n\r\nhello']), /text\/plain/],
    ['part without Content-Type', multipart(B, [post, 'X-A: 1\r\n\r\nGET Things HTTP/1.1']), /\(none\)/],
    ['malformed header line', multipart(B, [post, 'Content-Type: application/http\r\nno colon here\r\n\r\nGET Things HTTP/1.1']), /Malformed header/],
    ['unsupported transfer encoding', multipart(B, [post, 'Content-Type: application/http\r\nContent-Transfer-Encoding: base64\r\n\r\nR0VU']), /base64/],
    ['duplicate Content-ID', multipart(B, [post, changeset('cs', [httpPart('POST Things HTTP/1.1', { id: 'p', body: {} })])]), /used twice/],
    ['more than 1000 requests', multipart(B, [post, ...Array.from({ length: 1000 }, () => httpPart('GET Things HTTP/1.1'))]), /at most 1000/],
  ];
  for (const [name, body, message, contentType] of multipartCases) {
    test(`multipart: ${name} → 400 INVALID_BATCH`, async () => {
      const r = await t.api('POST', '/v1.1/$batch', body, { headers: { 'content-type': contentType ?? `multipart/mixed; boundary=${B}` } });
      assert.equal(r.status, 400, r.text);
      const e = r.body as { code: string; message: string };
      assert.equal(e.code, 'INVALID_BATCH');
      assert.match(e.message, message);
    });
  }

  const jsonCases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /\{"requests"/],
    ['requests not an array', { requests: 'x' }, /\{"requests"/],
    ['request not an object', { requests: [5] }, /must be an object/],
    ['missing id', { requests: [{ method: 'get', url: 'Things' }] }, /id must be/],
    ['duplicate id', { requests: [{ id: '1', method: 'get', url: 'Things' }, { id: '1', method: 'get', url: 'Things' }] }, /already used/],
    ['bad method', { requests: [{ id: '1', method: 'merge', url: 'Things' }] }, /method must be/],
    ['missing url', { requests: [{ id: '1', method: 'get' }] }, /url must be/],
    ['headers not strings', { requests: [{ id: '1', method: 'get', url: 'Things', headers: { a: 1 } }] }, /must be a string/],
    ['unknown dependsOn', { requests: [{ id: '1', method: 'get', url: 'Things', dependsOn: ['9'] }] }, /not an earlier request/],
    ['GET in an atomicity group', { requests: [{ id: '1', atomicityGroup: 'g', method: 'get', url: 'Things' }] }, /cannot hold a GET/],
    ['group members not adjacent', { requests: [
      { id: '1', atomicityGroup: 'g', method: 'post', url: 'Things', body: {} },
      { id: '2', method: 'get', url: 'Things' },
      { id: '3', atomicityGroup: 'g', method: 'post', url: 'Things', body: {} },
    ] }, /adjacent/],
    ['group named like a request', { requests: [{ id: 'g', method: 'get', url: 'Things' }, { id: '2', atomicityGroup: 'g', method: 'post', url: 'Things', body: {} }] }, /also a request id/],
    ['more than 1000 requests', { requests: Array.from({ length: 1001 }, (_, i) => ({ id: String(i), method: 'get', url: 'Things' })) }, /at most 1000/],
  ];
  for (const [name, body, message] of jsonCases) {
    test(`json: ${name} → 400 INVALID_BATCH`, async () => {
      const r = await t.api('POST', '/v1.1/$batch', body);
      assert.equal(r.status, 400, r.text);
      const e = r.body as { code: string; message: string };
      assert.equal(e.code, 'INVALID_BATCH');
      assert.match(e.message, message);
    });
  }

  test('nothing of a refused batch runs; invalid JSON is 400 and other media types 415', async () => {
    const names = ((await t.api('GET', '/v1.1/Things?$top=1000')).body as { value: { name: string }[] }).value.map((v) => v.name);
    assert.ok(!names.includes('must-not-exist'));
    const bad = await t.api('POST', '/v1.1/$batch', '{"requests": [', { headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'INVALID_JSON');
    const text = await t.api('POST', '/v1.1/$batch', 'GET Things', { headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    assert.equal((text.body as { code: string }).code, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
