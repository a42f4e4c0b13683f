import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import { HASH_SIZE, leafHash } from './hashing.ts';
import { MemoryHashStore } from './memory-store.ts';
import { merkleTreeHash } from './mth.ts';
import {
  encodeEntryBundle,
  encodeTileIndex,
  entriesPath,
  parseEntryBundle,
  parseTilePath,
  readTile,
  TILE_WIDTH,
  tileLevelsForSize,
  tilePath,
  tilesForSize,
} from './tiles.ts';
import { treeHash } from './tree-hash.ts';

interface TileVectors {
  fromSpec: { indexPath: Record<string, string> };
  computed: {
    indexPath: Record<string, string>;
    tilesForTreeSize: Record<string, { level: number; fullTiles: number; partialWidth: number }[]>;
    exampleUrls: string[];
  };
}
const VECTORS = ['merkle', 'tlog-tiles-vectors.json'] as const;

function entry(i: number): Uint8Array {
  return new TextEncoder().encode(`entry ${i}`);
}

test('tlog-tiles vectors: index paths, tiles per tree size, example URLs', { skip: skipWithoutSharedData(...VECTORS) }, () => {
  const v = JSON.parse(readFileSync(sharedDataPath(...VECTORS)!, 'utf8')) as TileVectors;
  for (const [n, path] of Object.entries({ ...v.fromSpec.indexPath, ...v.computed.indexPath })) {
    assert.equal(encodeTileIndex(Number(n)), path, n);
    assert.equal(parseTilePath(`tile/0/${path}`).index, Number(n));
  }
  for (const [size, levels] of Object.entries(v.computed.tilesForTreeSize)) {
    assert.deepEqual(tileLevelsForSize(Number(size)), levels, `size ${size}`);
  }
  // Example URLs (relative to <prefix>/), each produced by our encoders and parsed back.
  const ours = new Set<string>();
  for (const url of v.computed.exampleUrls) {
    const rel = url.replace(/^<prefix>\//, '');
    if (rel === 'checkpoint') continue;
    const p = parseTilePath(rel);
    const back = p.kind === 'entries' ? entriesPath(p.index, p.width) : tilePath(p);
    assert.equal(back, rel);
    ours.add(back);
  }
  assert.ok(ours.has(tilePath({ level: 0, index: 1234067, width: TILE_WIDTH })));
  // Tree size 70000 per the spec: 273 full + partial 112 at level 0, 1 full + partial 17 at level 1, partial 1 at level 2.
  const tiles = [...tilesForSize(70000)];
  assert.equal(tiles.length, 273 + 1 + 1 + 1 + 1);
  assert.deepEqual(tiles.at(-1), { level: 2, index: 0, width: 1 });
  assert.deepEqual(
    tiles.filter((t) => t.width !== TILE_WIDTH).map(tilePath),
    ['tile/0/273.p/112', 'tile/1/001.p/17', 'tile/2/000.p/1'],
  );
});

test('tile paths: encoding and strict parsing', () => {
  assert.equal(tilePath({ level: 0, index: 0, width: 256 }), 'tile/0/000');
  assert.equal(tilePath({ level: 3, index: 1000, width: 7 }), 'tile/3/x001/000.p/7');
  assert.equal(entriesPath(5), 'tile/entries/005');
  assert.equal(entriesPath(273, 112), 'tile/entries/273.p/112');
  assert.deepEqual(parseTilePath('tile/entries/x001/234.p/9'), { kind: 'entries', index: 1234, width: 9 });
  assert.deepEqual(parseTilePath('tile/63/999'), { kind: 'hash', level: 63, index: 999, width: 256 });
  assert.equal(encodeTileIndex(Number.MAX_SAFE_INTEGER), 'x009/x007/x199/x254/x740/991');
  assert.equal(parseTilePath('tile/0/x009/x007/x199/x254/x740/991').index, Number.MAX_SAFE_INTEGER);
  for (const bad of [
    'tile/00/000',
    'tile/64/000',
    'tile/-1/000',
    'tile/0/1000',
    'tile/0/01',
    'tile/0/x000/001',
    'tile/0/x1/000',
    'tile/0/001/002',
    'tile/0/x001',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/007',
    'tile/0/000.p/',
    'tile/0/000/',
    '/tile/0/000',
    'tile/0/000?x',
    'tile/entry/000',
    'tile/0/x999/x999/x999/x999/x999/x999/999',
  ]) {
    assert.throws(() => parseTilePath(bad), /tile/, bad);
  }
  assert.throws(() => tilePath({ level: 0, index: 0, width: 0 }));
  assert.throws(() => tilePath({ level: 64, index: 0, width: 1 }));
  assert.throws(() => encodeTileIndex(-1));
  assert.deepEqual(tileLevelsForSize(0), []);
});

test('hash tiles are the stored hashes; a tile is the height-8 subtree of its hashes', async () => {
  const size = 70000;
  const store = new MemoryHashStore();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const h = leafHash(entry(i));
    leaves.push(h);
    store.append(h);
  }
  const full1 = await readTile({ level: 0, index: 1, width: TILE_WIDTH }, store);
  assert.equal(full1.length, 8192);
  assert.deepEqual(full1.subarray(0, 32), leaves[256]);
  assert.deepEqual(full1.subarray(255 * 32), leaves[511]);
  const partial = await readTile({ level: 0, index: 273, width: 112 }, store);
  assert.equal(partial.length, 112 * HASH_SIZE);
  assert.deepEqual(partial.subarray(111 * 32), leaves[273 * 256 + 111]);
  // Level-1 hashes are the MTHs of full level-0 tiles.
  const l1 = await readTile({ level: 1, index: 1, width: 17 }, store);
  assert.deepEqual(l1.subarray(0, 32), merkleTreeHash(leaves.slice(256 * 256, 257 * 256)));
  const split = (bytes: Uint8Array): Uint8Array[] => Array.from({ length: bytes.length / 32 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32));
  const l1full = await readTile({ level: 1, index: 0, width: TILE_WIDTH }, store);
  // MTH over a full tile's hashes = the level-above hash = MTH of the 65,536 leaves it spans.
  const l2 = await readTile({ level: 2, index: 0, width: 1 }, store);
  assert.deepEqual(merkleTreeHash(split(l1full)), l2);
  assert.deepEqual(l2, await treeHash(65536, store));
  // Every tile of the tree can be read.
  let count = 0;
  for (const t of tilesForSize(size)) {
    if (t.level > 0) assert.equal((await readTile(t, store)).length, t.width * 32);
    count++;
  }
  assert.equal(count, 277);
});

test('entry bundles: uint16 length-prefixed entries that hash to the level-0 tile', async () => {
  const entries = Array.from({ length: 5 }, (_, i) => entry(i));
  entries.push(new Uint8Array(0), new Uint8Array(65535).fill(7));
  const bundle = encodeEntryBundle(entries);
  assert.equal(bundle[0], 0);
  assert.equal(bundle[1], entries[0]!.length);
  const back = parseEntryBundle(bundle, entries.length);
  assert.deepEqual(back, entries);
  const store = new MemoryHashStore();
  for (const e of entries) store.append(leafHash(e));
  const tile = await readTile({ level: 0, index: 0, width: entries.length }, store);
  for (const [i, e] of back.entries()) assert.deepEqual(leafHash(e), tile.subarray(i * 32, i * 32 + 32));
  assert.throws(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1)), /truncated/);
  assert.throws(() => parseEntryBundle(Uint8Array.of(0)), /truncated/);
  assert.throws(() => parseEntryBundle(bundle, 3), /expected 3/);
  assert.throws(() => encodeEntryBundle([new Uint8Array(65536)]), /65535/);
  assert.throws(() => encodeEntryBundle([]), /1-256/);
});
