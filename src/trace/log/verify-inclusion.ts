import { bitLength, isUint, popcount, shr, xor } from './bits.ts';
import { bytesEqual, HASH_SIZE, nodeHash } from './hashing.ts';

/**
 * The length an inclusion proof for (leafIndex, treeSize) must have: the levels below the point
 * where the paths to leafIndex and treeSize−1 diverge ("inner") plus the left-hand subtrees on the
 * right border above it ("border"). Requires leafIndex < treeSize.
 */
export function inclusionProofLength(leafIndex: number, treeSize: number): number {
  const inner = bitLength(xor(leafIndex, treeSize - 1));
  return inner + popcount(shr(leafIndex, inner));
}

/**
 * Why an inclusion proof is invalid, or null when it proves that `leafHash` is leaf `leafIndex` of
 * the tree of `treeSize` leaves whose root is `root`. Follows RFC 9162 §2.1.3.2 step by step, after
 * rejecting malformed input up front: indexes must be safe integers, every hash exactly 32 bytes,
 * and the proof exactly as long as the tree shape requires.
 */
export function inclusionProofError(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): string | null {
  if (!isUint(leafIndex) || !isUint(treeSize)) return 'leaf index and tree size must be non-negative safe integers';
  // Step 1: leaf_index ≥ tree_size fails.
  if (leafIndex >= treeSize) return `leaf index ${leafIndex} is not below tree size ${treeSize}`;
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) return 'leaf hash is not 32 bytes';
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) return 'root hash is not 32 bytes';
  if (!Array.isArray(proof)) return 'proof is not a list of hashes';
  for (const p of proof) if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE) return 'a proof hash is not 32 bytes';
  const want = inclusionProofLength(leafIndex, treeSize);
  if (proof.length !== want) return `proof has ${proof.length} hashes, the tree shape needs ${want}`;

  // Step 2–3.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  // Step 4.
  for (const p of proof) {
    if (sn === 0) return 'proof is longer than the path to the root'; // 4a
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r); // 4b.i
      if (fn % 2 === 0) {
        // 4b.ii: right-shift until LSB(fn) is set or fn is 0.
        while (fn % 2 === 0 && fn !== 0) {
          fn = shr(fn, 1);
          sn = shr(sn, 1);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = shr(fn, 1); // 4c
    sn = shr(sn, 1);
  }
  // Step 5.
  if (sn !== 0) return 'proof is shorter than the path to the root';
  if (!bytesEqual(r, root)) return 'computed root does not match the given root';
  return null;
}

/**
 * RFC 9162 §2.1.3.2: true when `proof` shows that `leafHash` is leaf `leafIndex` of the tree of
 * `treeSize` leaves with root `root`. Use {@link inclusionProofError} to learn why a proof fails.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  return inclusionProofError(leafIndex, treeSize, leafHash, proof, root) === null;
}
