import { isUint } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { checkHashes, type HashReader, readHashesChecked } from './hash-reader.ts';
import { EMPTY_TREE_HASH } from './hashing.ts';
import { MAX_STORED_LEAF, type StoredHashIndex } from './stored-index.ts';
import { appendRangeIndexes, foldRange } from './subtree-plan.ts';

function checkSize(size: number): void {
  if (!isUint(size) || size > MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad tree size ${size}`);
}

/** Stored indexes needed for the root of a tree of `size` leaves: one per 1-bit of size. */
export function treeHashIndexes(size: number): StoredHashIndex[] {
  checkSize(size);
  const out: StoredHashIndex[] = [];
  appendRangeIndexes(0, size, out);
  return out;
}

/** Synchronous core of {@link treeHash}, given the hashes read for {@link treeHashIndexes}(size). */
export function treeHashFrom(size: number, hashes: readonly Uint8Array[]): Uint8Array {
  const indexes = treeHashIndexes(size);
  checkHashes(indexes, hashes);
  if (size === 0) return EMPTY_TREE_HASH;
  return foldRange(hashes, 0, hashes.length);
}

/**
 * RFC 9162 §2.1.1 MTH(D[0:size]) computed from stored complete-subtree hashes: the tree splits into
 * the complete subtrees given by the binary digits of `size`, folded right to left. Reads at most
 * log₂(size)+1 hashes in one call. The empty tree's root is SHA-256 of the empty string.
 */
export async function treeHash(size: number, reader: HashReader): Promise<Uint8Array> {
  const indexes = treeHashIndexes(size);
  return treeHashFrom(size, await readHashesChecked(reader, indexes));
}
