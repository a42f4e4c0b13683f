import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import { consistencyProof, inclusionProof, MemoryHashStore, storedHashIndex, treeHash } from '../log/merkle.ts';
import { bulkAppendLeafHashes } from './bulk-hashes.ts';
import { pgArray } from './postgres-store.ts';

/**
 * The DB-backed tree against the RFC 6962/9162 reference vectors (shared/data/merkle): leaf hashes
 * appended through the same frontier arithmetic as the appender, then roots, checkpoint, inclusion
 * and consistency proofs served over HTTP compared with the vectors and with the in-memory library.
 */
interface Ref {
  leafHashes: string[];
  roots: Record<string, string>;
  inclusion: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}

const skip = skipWithoutSharedData('merkle', 'rfc6962-reference-8leaf.json');
const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const b64hex = (s: string) => Buffer.from(s, 'base64').toString('hex');

forEachBackend((tp) => {
  test('RFC 9162 reference vectors: stored tree, roots, checkpoint, proofs over HTTP', { skip }, async () => {
    const ref = JSON.parse(readFileSync(sharedDataPath('merkle', 'rfc6962-reference-8leaf.json')!, 'utf8')) as Ref;
    const leaves = ref.leafHashes.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
    const mem = new MemoryHashStore();
    for (const l of leaves) mem.append(l);
    const root = await bulkAppendLeafHashes(tp.p.db, leaves.length, (i) => leaves[i]!, { batch: 3 });
    assert.equal(hex(root), ref.roots['8']);
    for (let size = 0; size <= 8; size++) assert.equal(hex(await treeHash(size, tp.p.trace.store)), ref.roots[String(size)], `root of size ${size}`);
    assert.equal(await tp.p.trace.checkpoints.publish(), 8);
    const cp = await tp.api('GET', '/trace/log/checkpoint', undefined, { key: null });
    assert.equal(b64hex(cp.text.split('\n')[2]!), ref.roots['8']);
    for (const v of ref.inclusion) {
      const r = await tp.api('GET', `/trace/log/proof/inclusion?index=${v.leafIndex}&size=${v.treeSize}`, undefined, { key: null });
      assert.equal(r.status, 200, r.text);
      const got = (r.body as { hashes: string[] }).hashes.map(b64hex);
      assert.deepEqual(got, v.proof, `inclusion ${v.leafIndex}/${v.treeSize}`);
      assert.deepEqual(got, (await inclusionProof(v.leafIndex, v.treeSize, mem)).map(hex));
    }
    for (const v of ref.consistency) {
      const r = await tp.api('GET', `/trace/log/proof/consistency?from=${v.size1}&to=${v.size2}`, undefined, { key: null });
      assert.equal(r.status, 200, r.text);
      const got = (r.body as { hashes: string[] }).hashes.map(b64hex);
      assert.deepEqual(got, v.proof, `consistency ${v.size1}→${v.size2}`);
      assert.deepEqual(got, (await consistencyProof(v.size1, v.size2, mem)).map(hex));
    }
    // C2SP tlog-tiles: the level-0 partial tile of an 8-leaf tree is the 8 leaf hashes.
    const tile = await tp.p.app.inject({ method: 'GET', url: '/trace/log/tile/0/000.p/8' });
    assert.equal(tile.statusCode, 200);
    assert.equal(tile.rawPayload.toString('hex'), ref.leafHashes.join(''));
    assert.equal((await tp.api('GET', '/trace/log/tile/0/000.p/9', undefined, { key: null })).status, 404);
    assert.equal((await tp.api('GET', '/trace/log/tile/0/000', undefined, { key: null })).status, 404);
    assert.equal((await tp.api('GET', '/trace/log/tile/0/00', undefined, { key: null })).status, 400);
    assert.equal((await tp.api('GET', '/trace/log/proof/inclusion?index=0&size=9', undefined, { key: null })).status, 404);
  });

  test('a larger random tree: DB proofs equal the library for many (index, size) pairs', async () => {
    const extra = 1000;
    const rnd = (i: number) => new Uint8Array(Buffer.from(`${i}`.padStart(32, 'x')));
    const mem = new MemoryHashStore();
    const before = await tp.p.trace.store.size();
    for (let i = 0; i < before; i++) mem.append((await tp.p.trace.store.readHashes([storedHashIndex(0, i)]))[0]!);
    await bulkAppendLeafHashes(tp.p.db, extra, rnd, { batch: 333 });
    for (let i = 0; i < extra; i++) mem.append(rnd(before + i));
    const size = before + extra;
    assert.equal(hex(await treeHash(size, tp.p.trace.store)), hex(mem.root()));
    for (let k = 0; k < 50; k++) {
      const s = 1 + ((k * 7919) % size);
      const i = (k * 104729) % s;
      assert.deepEqual((await inclusionProof(i, s, tp.p.trace.store)).map(hex), (await inclusionProof(i, s, mem)).map(hex));
      const s1 = 1 + ((k * 31) % s);
      assert.deepEqual((await consistencyProof(s1, s, tp.p.trace.store)).map(hex), (await consistencyProof(s1, s, mem)).map(hex));
    }
  });

  test('PostgreSQL: array literals built through JSON read back as the values', async () => {
    if (tp.backend.dialect !== 'postgres') return;
    const texts = ['plain', '', 'a "quoted" \\ back\\slash', '{braces},[commas]', ' spaces ', 'NULL', null, 'Cần Thơ ✓', '{"eventID":"ni:///x","n":1}', 'line\nbreak\ttab', 'emoji 😀', '\\"'];
    const nums = [0, 1, -5, 2 ** 53 - 1, null, 1700000000000];
    const safe = texts.filter((t) => t === null || !/[\n\t😀]/u.test(t));
    assert.equal(typeof pgArray(safe), 'string');
    assert.ok(Array.isArray(pgArray(texts)), 'control characters and surrogates go through the driver');
    const r = await tp.p.db.pg!.query('SELECT $1::text[] AS t, $2::bigint[] AS n, $3::text[] AS e, $4::text[] AS s', [pgArray(texts), pgArray(nums), pgArray([]), pgArray(safe)]);
    assert.deepEqual(r.rows[0].t, texts);
    assert.deepEqual(r.rows[0].s, safe);
    assert.deepEqual(r.rows[0].n.map((x: string | number | null) => (x === null ? null : Number(x))), nums);
    assert.deepEqual(r.rows[0].e, []);
  });
});
