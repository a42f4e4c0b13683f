import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import {
  consistencyProof,
  consistencyProofError,
  consistencyProofPlan,
  EMPTY_TREE_HASH,
  type HashReader,
  inclusionProof,
  inclusionProofError,
  inclusionProofPlan,
  leafHash,
  leafHashOfText,
  MemoryHashStore,
  merkleTreeHash,
  nodeHash,
  splitStoredHashIndex,
  storedHashCount,
  storedHashesForAppend,
  storedHashIndex,
  treeHash,
  treeHashIndexes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Deterministic leaf hashes for synthetic trees. */
function syntheticLeaves(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(leafHash(new TextEncoder().encode(`leaf ${i}`)));
  return out;
}

function storeOf(leaves: readonly Uint8Array[]): MemoryHashStore {
  const s = new MemoryHashStore();
  for (const l of leaves) s.append(l);
  return s;
}

// Naive RFC 9162 §2.1.3.1 PATH and §2.1.4.1 SUBPROOF over the full leaf list: an independent
// reference for the stored-hash generators.
function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function naivePath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = largestPow2Below(d.length);
  if (m < k) return [...naivePath(m, d.slice(0, k)), merkleTreeHash(d.slice(k))];
  return [...naivePath(m - k, d.slice(k)), merkleTreeHash(d.slice(0, k))];
}
function naiveSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [merkleTreeHash(d)];
  const k = largestPow2Below(d.length);
  if (m <= k) return [...naiveSubproof(m, d.slice(0, k), b), merkleTreeHash(d.slice(k))];
  return [...naiveSubproof(m - k, d.slice(k), false), merkleTreeHash(d.slice(0, k))];
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = new Uint8Array(b);
  c[Math.floor(bit / 8) % c.length]! ^= 1 << (bit % 8);
  return c;
}

test('leaf and node hashes follow RFC 9162 §2.1.1 domain separation', () => {
  assert.equal(hex(EMPTY_TREE_HASH), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(hex(leafHash(new Uint8Array())), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  const a = leafHash(Uint8Array.of(1));
  const b = leafHash(Uint8Array.of(2));
  assert.notEqual(hex(nodeHash(a, b)), hex(nodeHash(b, a)));
});

test('leafHashOfText is the leaf hash of the UTF-8 bytes (lone surrogates as U+FFFD)', () => {
  for (const t of ['', 'leaf 1', 'cantho-trace-leaf/v1\nevent-id urn:x\n', 'Cần Thơ ✓ 😀', 'a\ud800b\udc00c']) {
    assert.equal(hex(leafHashOfText(t)), hex(leafHash(new TextEncoder().encode(t))), JSON.stringify(t));
  }
});

test('stored hash index: dense append order, inverse and count', () => {
  // Appending leaf n writes its leaf hash then one hash per subtree it completes, at the end.
  let next = 0;
  for (let n = 0; n < 2000; n++) {
    assert.equal(storedHashIndex(0, n), next);
    let level = 0;
    for (let m = n; m % 2 === 1; m = Math.floor(m / 2)) {
      level++;
      assert.equal(storedHashIndex(level, Math.floor(n / 2 ** level)), next + level);
    }
    next += 1 + level;
    assert.equal(storedHashCount(n + 1), next);
  }
  for (let i = 0; i < 5000; i++) {
    const { level, n } = splitStoredHashIndex(i);
    assert.equal(storedHashIndex(level, n), i);
  }
  // Beyond 32 bits.
  for (const [level, n] of [
    [0, 2 ** 40 + 12345],
    [7, 2 ** 33 + 3],
    [20, 2 ** 30 - 1],
  ] as const) {
    assert.deepEqual(splitStoredHashIndex(storedHashIndex(level, n)), { level, n });
  }
  assert.throws(() => storedHashIndex(-1, 0));
  assert.throws(() => storedHashIndex(0, 2 ** 60));
});

test('MemoryHashStore stores exactly storedHashCount(n) hashes and roots match the naive MTH for sizes 0..300', () => {
  const leaves = syntheticLeaves(300);
  const store = new MemoryHashStore();
  assert.equal(hex(store.root()), hex(EMPTY_TREE_HASH));
  for (let n = 1; n <= 300; n++) {
    store.append(leaves[n - 1]!);
    assert.equal(store.storedCount, storedHashCount(n));
  }
  for (let n = 0; n <= 300; n++) {
    assert.equal(hex(store.root(n)), hex(merkleTreeHash(leaves.slice(0, n))), `size ${n}`);
  }
});

test('treeHash, storedHashesForAppend work through an async reader', async () => {
  const leaves = syntheticLeaves(77);
  const mem = storeOf(leaves);
  const asyncReader: HashReader = { readHashes: async (ix) => mem.readHashes(ix) };
  assert.equal(hex(await treeHash(77, asyncReader)), hex(merkleTreeHash(leaves)));
  // Recreate the stored sequence by calling storedHashesForAppend leaf by leaf against a plain array.
  const seq: Uint8Array[] = [];
  const arrayReader: HashReader = { readHashes: (ix) => ix.map((i) => seq[i]!) };
  for (let n = 0; n < leaves.length; n++) {
    const added = await storedHashesForAppend(n, leaves[n]!, arrayReader);
    assert.equal(seq.length, storedHashIndex(0, n));
    seq.push(...added);
  }
  assert.deepEqual(seq.map(hex), mem.readHashes(seq.map((_, i) => i)).map(hex));
});

test('a reader returning the wrong number or size of hashes is rejected', async () => {
  const mem = storeOf(syntheticLeaves(10));
  const short: HashReader = { readHashes: (ix) => mem.readHashes(ix).slice(1) };
  await assert.rejects(treeHash(10, short), /BAD_STORAGE|returned/);
  const junk: HashReader = { readHashes: (ix) => ix.map(() => new Uint8Array(31)) };
  await assert.rejects(inclusionProof(3, 10, junk), /malformed hash/);
});

test('RFC 6962/9162 8-leaf reference: roots, and generated proofs equal and verify', { skip: skipWithoutSharedData('merkle', 'rfc6962-reference-8leaf.json') }, async () => {
  const ref = JSON.parse(readFileSync(sharedDataPath('merkle', 'rfc6962-reference-8leaf.json')!, 'utf8')) as {
    leaves: string[];
    leafHashes: string[];
    roots: Record<string, string>;
    inclusion: { leafIndex: number; treeSize: number; leafHash: string; root: string; proof: string[] }[];
    consistency: { size1: number; size2: number; root1: string; root2: string; proof: string[] }[];
  };
  const leaves = ref.leaves.map((l) => leafHash(unhex(l)));
  assert.deepEqual(leaves.map(hex), ref.leafHashes);
  const store = storeOf(leaves);
  for (let n = 0; n <= 8; n++) {
    assert.equal(hex(await treeHash(n, store)), ref.roots[String(n)]);
    assert.equal(hex(merkleTreeHash(leaves.slice(0, n))), ref.roots[String(n)]);
  }
  assert.equal(ref.inclusion.length, 36);
  for (const c of ref.inclusion) {
    const proof = await inclusionProof(c.leafIndex, c.treeSize, store);
    assert.deepEqual(proof.map(hex), c.proof, `inclusion ${c.leafIndex}/${c.treeSize}`);
    assert.equal(inclusionProofError(c.leafIndex, c.treeSize, unhex(c.leafHash), c.proof.map(unhex), unhex(c.root)), null);
  }
  assert.equal(ref.consistency.length, 28);
  for (const c of ref.consistency) {
    const proof = await consistencyProof(c.size1, c.size2, store);
    assert.deepEqual(proof.map(hex), c.proof, `consistency ${c.size1}->${c.size2}`);
    assert.equal(consistencyProofError(c.size1, c.size2, c.proof.map(unhex), unhex(c.root1), unhex(c.root2)), null);
  }
});

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

/** Every *.json under `dir`, recursively (some vector folders are nested), in a stable order. */
function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(p));
    else if (entry.name.endsWith('.json')) out.push(p);
  }
  return out;
}

test('transparency-dev/merkle testdata: all 196 inclusion and consistency vectors agree with wantErr', { skip: skipWithoutSharedData('merkle', 'transparency-dev-merkle', 'testdata') }, () => {
  const root = sharedDataPath('merkle', 'transparency-dev-merkle', 'testdata')!;
  const mismatches: string[] = [];
  let count = 0;
  let accepted = 0;
  for (const file of jsonFiles(join(root, 'inclusion'))) {
    // JSON.parse turns 2^64−1 into an unsafe float; the verifier must reject such an index anyway.
    const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
    const ok = verifyInclusion(v.leafIdx, v.treeSize, unb64(v.leafHash), (v.proof ?? []).map(unb64), unb64(v.root));
    if (ok === v.wantErr) mismatches.push(`${file}: ${v.desc}`);
    count++;
    if (ok) accepted++;
  }
  for (const file of jsonFiles(join(root, 'consistency'))) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
    const ok = verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(unb64), unb64(v.root1), unb64(v.root2));
    if (ok === v.wantErr) mismatches.push(`${file}: ${v.desc}`);
    count++;
    if (ok) accepted++;
  }
  assert.deepEqual(mismatches, []);
  assert.equal(count, 196);
  assert.ok(accepted >= 10, 'the happy paths verify');
});

test('property: for random trees ≤ 300, every generated inclusion and consistency proof verifies; a flipped bit fails', async () => {
  const all = syntheticLeaves(300);
  const store = storeOf(all);
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300];
  const rng = fc.sample(fc.integer({ min: 1, max: 300 }), { numRuns: 12, seed: 9162 });
  for (const size of [...sizes, ...rng]) {
    const leaves = all.slice(0, size);
    const root = await treeHash(size, store);
    for (let i = 0; i < size; i++) {
      const proof = await inclusionProof(i, size, store);
      if (size <= 64) assert.deepEqual(proof.map(hex), naivePath(i, leaves).map(hex));
      assert.equal(inclusionProofError(i, size, leaves[i]!, proof, root), null, `inclusion ${i}/${size}`);
      const bit = (i * 37 + size) % 256;
      assert.equal(verifyInclusion(i, size, flipBit(leaves[i]!, bit), proof, root), false);
      assert.equal(verifyInclusion(i, size, leaves[i]!, proof, flipBit(root, bit)), false);
      if (proof.length > 0) {
        const j = (i + size) % proof.length;
        const bad = proof.map((p, k) => (k === j ? flipBit(p, bit) : p));
        assert.equal(verifyInclusion(i, size, leaves[i]!, bad, root), false);
        assert.equal(verifyInclusion(i, size, leaves[i]!, proof.slice(1), root), false);
        assert.equal(verifyInclusion(i, size, leaves[i]!, [...proof, proof[0]!], root), false);
      }
      if (size > 1) assert.equal(verifyInclusion((i + 1) % size, size, leaves[i]!, proof, root), false);
    }
    for (let m = 1; m <= size; m++) {
      const proof = await consistencyProof(m, size, store);
      const root1 = await treeHash(m, store);
      if (size <= 64 && m < size) assert.deepEqual(proof.map(hex), naiveSubproof(m, leaves, true).map(hex));
      assert.equal(consistencyProofError(m, size, proof, root1, root), null, `consistency ${m}->${size}`);
      if (m < size) {
        const bit = (m * 11 + size) % 256;
        const j = (m + size) % proof.length;
        const bad = proof.map((p, k) => (k === j ? flipBit(p, bit) : p));
        assert.equal(verifyConsistency(m, size, bad, root1, root), false);
        assert.equal(verifyConsistency(m, size, proof, flipBit(root1, bit), root), false);
        assert.equal(verifyConsistency(m, size, proof, root1, flipBit(root, bit)), false);
        assert.equal(verifyConsistency(m, size, proof.slice(0, -1), root1, root), false);
        assert.equal(verifyConsistency(m, size, [...proof, root], root1, root), false);
      }
    }
  }
});

test('property (fast-check): random sizes, indexes and bit flips', async () => {
  const all = syntheticLeaves(300);
  const store = storeOf(all);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.nat({ max: 255 }), async (size, a, b, bit) => {
      const i = a % size;
      const m = 1 + (b % size);
      const root = await treeHash(size, store);
      const incl = await inclusionProof(i, size, store);
      if (!verifyInclusion(i, size, all[i]!, incl, root)) return false;
      const cons = await consistencyProof(m, size, store);
      const root1 = await treeHash(m, store);
      if (!verifyConsistency(m, size, cons, root1, root)) return false;
      if (incl.length > 0 && verifyInclusion(i, size, all[i]!, [flipBit(incl[0]!, bit), ...incl.slice(1)], root)) return false;
      if (cons.length > 0 && verifyConsistency(m, size, [...cons.slice(0, -1), flipBit(cons.at(-1)!, bit)], root1, root)) return false;
      return true;
    }),
    { numRuns: 300, seed: 6962 },
  );
});

test('proof generation reads O(log n) stored hashes in one batch, even at 10 million leaves', () => {
  const size = 10_000_000;
  const log2 = Math.ceil(Math.log2(size));
  assert.ok(treeHashIndexes(size).length <= log2 + 1);
  for (const i of [0, 1, 4_999_999, 9_999_998, 9_999_999, 8_388_607, 8_388_608]) {
    assert.ok(inclusionProofPlan(i, size).indexes.length <= 2 * log2, `inclusion ${i}`);
  }
  for (const m of [1, 2, 3, 1_000_001, 8_388_608, 9_999_999, size]) {
    assert.ok(consistencyProofPlan(m, size).indexes.length <= 2 * log2 + 1, `consistency ${m}`);
  }
  // Each batch is requested once.
  const store = storeOf(syntheticLeaves(100));
  let calls = 0;
  const counting: HashReader = {
    readHashes(ix) {
      calls++;
      return store.readHashes(ix);
    },
  };
  return inclusionProof(37, 100, counting).then(() => assert.equal(calls, 1));
});

test('verifiers handle indexes beyond 32 bits exactly', () => {
  const left = leafHash(Uint8Array.of(7)); // stands in for MTH of the first 2^40 leaves
  const leaf = leafHash(Uint8Array.of(8));
  const root = nodeHash(left, leaf);
  const n = 2 ** 40;
  assert.equal(inclusionProofError(n, n + 1, leaf, [left], root), null);
  assert.equal(verifyInclusion(n - 1, n + 1, leaf, [left], root), false);
  assert.equal(verifyInclusion(n, n + 2, leaf, [left], root), false);
  assert.equal(consistencyProofError(n, n + 1, [leaf], left, root), null);
  assert.equal(verifyConsistency(n, n + 1, [leaf], leaf, root), false);
  assert.equal(verifyInclusion(2 ** 53, 2 ** 53 + 1, leaf, [left], root), false);
});

test('verifiers reject malformed input up front', () => {
  const h = leafHash(Uint8Array.of(1));
  assert.match(inclusionProofError(0, 1, new Uint8Array(31), [], h) ?? '', /leaf hash/);
  assert.match(inclusionProofError(0, 1, h, [], new Uint8Array(33)) ?? '', /root/);
  assert.match(inclusionProofError(0, 2, h, [new Uint8Array(0)], h) ?? '', /proof hash/);
  assert.match(inclusionProofError(-1, 2, h, [h], h) ?? '', /safe integers/);
  assert.match(inclusionProofError(0.5, 2, h, [h], h) ?? '', /safe integers/);
  assert.match(inclusionProofError(0, 4, h, [h], h) ?? '', /needs 2/);
  assert.match(consistencyProofError(0, 3, [], h, h) ?? '', /empty tree/);
  assert.match(consistencyProofError(3, 2, [], h, h) ?? '', /larger/);
  assert.match(consistencyProofError(2, 3, [], h, h) ?? '', /empty/);
  assert.match(consistencyProofError(3, 4, [h], h, h) ?? "", /need 3/);
  assert.equal(consistencyProofError(5, 5, [], h, h), null);
  assert.match(consistencyProofError(5, 5, [h], h, h) ?? '', /not empty/);
  assert.throws(() => inclusionProofPlan(3, 3), /not in a tree/);
  assert.throws(() => consistencyProofPlan(0, 3), /0 < size1/);
});
