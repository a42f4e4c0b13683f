import { pow2Below } from './bits.ts';
import { EMPTY_TREE_HASH, nodeHash } from './hashing.ts';

/**
 * RFC 9162 §2.1.1 MTH computed directly over a list of leaf hashes, by the definition's recursion.
 *
 * Why keep it beside the stored-hash code: it is the independent reference the incremental
 * algorithms are tested against, and it is handy for small trees (e.g. one tile, one bundle).
 * Cost is O(n) hashes, so do not use it for a whole large log.
 */
export function merkleTreeHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_TREE_HASH;
  return mthRange(leafHashes, 0, leafHashes.length);
}

function mthRange(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  const k = pow2Below(hi - lo);
  return nodeHash(mthRange(leaves, lo, lo + k), mthRange(leaves, lo + k, hi));
}
