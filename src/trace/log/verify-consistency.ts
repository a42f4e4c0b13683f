import { isPow2, isUint, shr, trailingZeros } from './bits.ts';
import { bytesEqual, HASH_SIZE, nodeHash } from './hashing.ts';
import { inclusionProofLength } from './verify-inclusion.ts';

/**
 * The length a consistency proof from size1 to size2 must have (0 < size1 < size2): the inclusion
 * path of leaf size1−1 in the size2 tree, minus the levels inside the largest complete subtree
 * ending at size1, plus that subtree's own hash unless it is the whole old tree (size1 a power of 2).
 */
export function consistencyProofLength(size1: number, size2: number): number {
  const shift = trailingZeros(size1);
  return inclusionProofLength(size1 - 1, size2) - shift + (isPow2(size1) ? 0 : 1);
}

function checkHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

/**
 * Why a consistency proof is invalid, or null when it proves that the tree (size1, root1) is a
 * prefix of the tree (size2, root2). The general case follows RFC 9162 §2.1.4.2 step by step, after
 * rejecting malformed input (non-integer sizes, hashes not 32 bytes, wrong proof length).
 *
 * Edge cases outside §2.1.4.2 (which assumes 0 < size1 < size2), matching the
 * transparency-dev/merkle vectors: size1 > size2 fails; size1 = 0 fails (a proof from the empty
 * tree is meaningless: every tree extends it); size1 = size2 needs an empty proof and root1 equal
 * to root2 byte for byte (nothing is hashed, so the roots' length is not checked there).
 */
export function consistencyProofError(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): string | null {
  if (!isUint(size1) || !isUint(size2)) return 'tree sizes must be non-negative safe integers';
  if (size1 > size2) return `size1 ${size1} is larger than size2 ${size2}`;
  if (size1 === 0) return 'a consistency proof from the empty tree is meaningless';
  if (!Array.isArray(proof)) return 'proof is not a list of hashes';
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return 'roots must be byte arrays';
  if (size1 === size2) {
    if (proof.length !== 0) return 'sizes are equal but the proof is not empty';
    return bytesEqual(root1, root2) ? null : 'sizes are equal but the roots differ';
  }
  if (!checkHash(root1)) return 'root1 is not 32 bytes';
  if (!checkHash(root2)) return 'root2 is not 32 bytes';
  // Step 1.
  if (proof.length === 0) return 'proof is empty';
  for (const c of proof) if (!checkHash(c)) return 'a proof hash is not 32 bytes';
  const want = consistencyProofLength(size1, size2);
  if (proof.length !== want) return `proof has ${proof.length} hashes, the tree shapes need ${want}`;

  // Step 2: if size1 is an exact power of 2, prepend root1 to the path.
  const path = isPow2(size1) ? [root1, ...proof] : proof;
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (fn % 2 === 1) {
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return 'proof is longer than the path to the root'; // 6a
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr); // 6b.i
      sr = nodeHash(c, sr); // 6b.ii
      if (fn % 2 === 0) {
        // 6b.iii
        while (fn % 2 === 0 && fn !== 0) {
          fn = shr(fn, 1);
          sn = shr(sn, 1);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = shr(fn, 1); // 6c
    sn = shr(sn, 1);
  }
  // Step 7.
  if (sn !== 0) return 'proof is shorter than the path to the root';
  if (!bytesEqual(fr, root1)) return 'proof does not reproduce root1';
  if (!bytesEqual(sr, root2)) return 'proof does not reproduce root2';
  return null;
}

/**
 * RFC 9162 §2.1.4.2: true when `proof` shows the tree (size1, root1) is a prefix of the tree
 * (size2, root2). Use {@link consistencyProofError} to learn why a proof fails.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  return consistencyProofError(size1, size2, proof, root1, root2) === null;
}
