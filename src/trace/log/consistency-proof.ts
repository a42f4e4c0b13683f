import { isUint, pow2Below } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { checkHashes, type HashReader, readHashesChecked } from './hash-reader.ts';
import { MAX_STORED_LEAF } from './stored-index.ts';
import { evaluatePlan, type ProofPlan, planFromTopDown } from './subtree-plan.ts';

/**
 * The plan for PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true) of RFC 9162 §2.1.4.1.
 * Walking down: while the current node [lo, hi) is larger than the old tree boundary, split at k; if
 * the boundary is in the left part record the right part's MTH and go left, else record the left
 * part's MTH, go right and clear the "b" flag. When the node equals the old tree's subtree, its MTH
 * is recorded only if b is false. The proof lists the recorded MTHs bottom-up.
 */
export function consistencyProofPlan(size1: number, size2: number): ProofPlan {
  if (!isUint(size2) || size2 > MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad tree size ${size2}`);
  if (!isUint(size1) || size1 === 0 || size1 > size2) {
    throw new LogFormatError('BAD_ARGUMENT', `no consistency proof from size ${size1} to size ${size2} (need 0 < size1 ≤ size2)`);
  }
  const topDown: number[] = [];
  let lo = 0;
  let hi = size2;
  let complete = true; // RFC 9162's "b"
  while (hi !== size1) {
    const k = pow2Below(hi - lo);
    if (size1 <= lo + k) {
      topDown.push(lo + k, hi); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      hi = lo + k;
    } else {
      topDown.push(lo, lo + k); // SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
      lo += k;
      complete = false;
    }
  }
  if (!complete) topDown.push(lo, hi); // m = n and b false: [MTH(D[n])]
  return planFromTopDown(topDown);
}

/** Synchronous core of {@link consistencyProof}, given the hashes read for the plan's indexes. */
export function consistencyProofFrom(size1: number, size2: number, hashes: readonly Uint8Array[]): Uint8Array[] {
  const plan = consistencyProofPlan(size1, size2);
  checkHashes(plan.indexes, hashes);
  return evaluatePlan(plan, hashes);
}

/**
 * RFC 9162 §2.1.4.1 consistency proof that the tree of `size1` leaves is a prefix of the tree of
 * `size2` leaves (0 < size1 ≤ size2; equal sizes give the empty proof). One batched read of
 * O(log n) stored hashes.
 */
export async function consistencyProof(size1: number, size2: number, reader: HashReader): Promise<Uint8Array[]> {
  const plan = consistencyProofPlan(size1, size2);
  return evaluatePlan(plan, await readHashesChecked(reader, plan.indexes));
}
