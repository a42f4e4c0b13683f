import { isUint, pow2Below } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { checkHashes, type HashReader, readHashesChecked } from './hash-reader.ts';
import { MAX_STORED_LEAF } from './stored-index.ts';
import { evaluatePlan, type ProofPlan, planFromTopDown } from './subtree-plan.ts';

/**
 * The plan for PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: walking down from the root, at each
 * node of n leaves split at k (largest power of two < n) and record the subtree *not* containing
 * the leaf; the proof lists those sibling MTHs bottom-up. Left siblings are complete subtrees (one
 * stored hash); right siblings on the tree's right edge may need several, so the whole plan is
 * O(log n) stored hashes.
 */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  if (!isUint(size) || size > MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad tree size ${size}`);
  if (!isUint(index) || index >= size) throw new LogFormatError('BAD_ARGUMENT', `leaf index ${index} is not in a tree of size ${size}`);
  const topDown: number[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = pow2Below(hi - lo);
    if (index < lo + k) {
      topDown.push(lo + k, hi); // PATH(m, D[0:k]) : MTH(D[k:n])
      hi = lo + k;
    } else {
      topDown.push(lo, lo + k); // PATH(m − k, D[k:n]) : MTH(D[0:k])
      lo += k;
    }
  }
  return planFromTopDown(topDown);
}

/** Synchronous core of {@link inclusionProof}, given the hashes read for the plan's indexes. */
export function inclusionProofFrom(index: number, size: number, hashes: readonly Uint8Array[]): Uint8Array[] {
  const plan = inclusionProofPlan(index, size);
  checkHashes(plan.indexes, hashes);
  return evaluatePlan(plan, hashes);
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof (audit path) for leaf `index` in the tree of `size` leaves,
 * ordered from the leaf's sibling up to the root's child — the order `verifyInclusion` and the
 * C2SP tlog-proof format expect. One batched read of O(log n) stored hashes.
 */
export async function inclusionProof(index: number, size: number, reader: HashReader): Promise<Uint8Array[]> {
  const plan = inclusionProofPlan(index, size);
  return evaluatePlan(plan, await readHashesChecked(reader, plan.indexes));
}
