import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryHashStore } from '../log/merkle.ts';
import { Frontier } from './frontier.ts';
import { formatLeaf, type LeafFields, leafFormatter, parseLeaf } from './leaf.ts';

const fields: LeafFields = {
  eventId: 'urn:uuid:6f1c3a1e-3b0a-4c8e-9f57-1b2c3d4e5f60',
  eventHash: 'ni:///sha-256;ffa4c8c5e4d3b3e1f1b1c0f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6?ver=CBV2.0',
  eventJson: `sha-256:${'ab'.repeat(32)}`,
  recordTime: '2025-04-10T00:30:01.234Z',
  org: 'htx-thanh-phu',
  keyId: 'htx-thanh-phu.0123456789abcdef',
  captureId: 'c_AAAAAAAAAAAAAAAA',
  captureDigest: `sha-256:${'cd'.repeat(32)}`,
  captureIndex: 3,
  signature: `${'A'.repeat(86)}==`,
};

test('leaf text: exact documented bytes, strict round trip', () => {
  const text = formatLeaf(fields);
  assert.equal(
    text,
    `cantho-trace-leaf/v1\nevent-id ${fields.eventId}\nevent-hash ${fields.eventHash}\nevent-json ${fields.eventJson}\nrecord-time ${fields.recordTime}\norg htx-thanh-phu\nkey ${fields.keyId}\ncapture c_AAAAAAAAAAAAAAAA\ncapture-digest ${fields.captureDigest}\ncapture-index 3\nsignature ${fields.signature}\n`,
  );
  assert.deepEqual(parseLeaf(text), fields);
  for (const bad of [text.slice(0, -1), `${text}\n`, text.replace('capture-index 3', 'capture-index 03'), text.replace('org ', 'org  '), text.replace('key ', 'keys '), text.replace('/v1', '/v2')]) {
    assert.equal(parseLeaf(bad), null, JSON.stringify(bad.slice(-40)));
  }
  assert.throws(() => formatLeaf({ ...fields, eventId: 'a b' }));
  assert.throws(() => formatLeaf({ ...fields, eventId: 'a\nb' }));
});

test('leafFormatter writes the bytes of formatLeaf and checks every field', () => {
  const { eventId, eventHash, eventJson, captureIndex, ...capture } = fields;
  const fmt = leafFormatter(capture);
  assert.equal(fmt(eventId, eventHash, eventJson, captureIndex), formatLeaf(fields));
  assert.equal(fmt('urn:x:1', eventHash, eventJson, 0), formatLeaf({ ...fields, eventId: 'urn:x:1', captureIndex: 0 }));
  assert.throws(() => fmt('a b', eventHash, eventJson, 1));
  assert.throws(() => fmt(eventId, '', eventJson, 1));
  assert.throws(() => fmt(eventId, eventHash, 'x\ny', 1));
  for (const k of ['recordTime', 'org', 'keyId', 'captureId', 'captureDigest', 'signature'] as const) {
    assert.throws(() => leafFormatter({ ...capture, [k]: 'a b' }), new RegExp(k === 'keyId' ? 'key' : k === 'captureId' ? 'capture ' : ''));
  }
});

test('Frontier appends exactly the stored hashes of the library and has its roots', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
      const mem = new MemoryHashStore();
      let f = Frontier.empty();
      const leaf = (i: number) => new Uint8Array(32).fill(i % 251);
      for (let i = 0; i < a + b; i++) {
        if (i === a) f = Frontier.fromStored(a, mem.readHashes(Frontier.indexes(a)));
        const before = mem.storedCount;
        const got = f.append(leaf(i));
        mem.append(leaf(i));
        assert.deepEqual(got, mem.readHashes(Array.from({ length: mem.storedCount - before }, (_, k) => before + k)));
      }
      assert.deepEqual(f.root(), mem.root());
    }),
    { numRuns: 60 },
  );
});
