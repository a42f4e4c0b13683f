import { isUint, shr, trailingZeros } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { checkHashes, type HashReader, readHashesChecked } from './hash-reader.ts';
import { isHash, nodeHash } from './hashing.ts';
import { MAX_STORED_LEAF, type StoredHashIndex, storedHashIndex } from './stored-index.ts';

function checkLeaf(n: number, leaf: Uint8Array): void {
  if (!isUint(n) || n >= MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad leaf index ${n}`);
  if (!isHash(leaf)) throw new LogFormatError('BAD_HASH', 'leaf hash must be 32 bytes');
}

/**
 * The stored indexes that must be read to append leaf n: the left siblings of the subtrees leaf n
 * completes (one per trailing 1-bit of n, at levels 0, 1, …). Split out so a database append path
 * can batch the read with its own transaction.
 */
export function storedHashesForAppendIndexes(n: number): StoredHashIndex[] {
  if (!isUint(n) || n >= MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad leaf index ${n}`);
  const m = trailingZeros(n + 1);
  const out: StoredHashIndex[] = new Array(m);
  for (let level = 0; level < m; level++) out[level] = storedHashIndex(level, shr(n, level) - 1);
  return out;
}

/**
 * Synchronous core of {@link storedHashesForAppend}: given the hashes read for
 * {@link storedHashesForAppendIndexes}(n), returns the new stored hashes.
 */
export function storedHashesForAppendFrom(n: number, leaf: Uint8Array, existing: readonly Uint8Array[]): Uint8Array[] {
  checkLeaf(n, leaf);
  const indexes = storedHashesForAppendIndexes(n);
  checkHashes(indexes, existing);
  const out: Uint8Array[] = [leaf];
  let h = leaf;
  for (let level = 0; level < indexes.length; level++) {
    h = nodeHash(existing[level]!, h); // RFC 9162 §2.1.1: MTH = HASH(0x01 ‖ left ‖ right)
    out.push(h);
  }
  return out;
}

/**
 * The hashes that appending leaf n (0-based, so the tree grows from n to n+1 leaves) adds to storage:
 * its leaf hash, then the hash of every complete subtree it finishes, lowest level first. They go
 * at consecutive positions starting at `storedHashIndex(0, n)`.
 *
 * Why: storing exactly the complete-subtree hashes makes every later root and proof O(log n) reads
 * (see {@link StoredHashIndex}), while appending costs ≈ 2 hashes per leaf on average and at most
 * log₂ n reads.
 */
export async function storedHashesForAppend(n: number, leaf: Uint8Array, readExisting: HashReader): Promise<Uint8Array[]> {
  checkLeaf(n, leaf);
  const indexes = storedHashesForAppendIndexes(n);
  const existing = await readHashesChecked(readExisting, indexes);
  return storedHashesForAppendFrom(n, leaf, existing);
}
