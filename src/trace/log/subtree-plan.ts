import { bitLength, popcount, pow2AtMost } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { nodeHash } from './hashing.ts';
import { storedHashIndex } from './stored-index.ts';

/**
 * Internal: how to get MTH(D[lo:hi]) (RFC 9162 §2.1.1) from stored complete-subtree hashes.
 *
 * Why it works: for a range that arises from MTH's own recursion, lo is aligned to the range's
 * power-of-two ceiling, so the range splits into complete subtrees whose sizes are the binary
 * digits of hi − lo, largest first; MTH is then their hashes folded from the right. That is
 * popcount(hi − lo) ≤ log₂ n stored hashes per range.
 */
export function appendRangeIndexes(lo: number, hi: number, out: number[]): void {
  while (lo < hi) {
    const k = pow2AtMost(hi - lo);
    if (lo % k !== 0) throw new LogFormatError('BAD_ARGUMENT', `range [${lo}, ${hi}) is not aligned to the tree structure`);
    out.push(storedHashIndex(bitLength(k) - 1, lo / k));
    lo += k;
  }
}

/** Number of stored hashes {@link appendRangeIndexes} emits for [lo, hi). */
export function rangeHashCount(lo: number, hi: number): number {
  return popcount(hi - lo);
}

/** Folds `count` consecutive complete-subtree hashes starting at `start` into the range's MTH. */
export function foldRange(hashes: readonly Uint8Array[], start: number, count: number): Uint8Array {
  let h = hashes[start + count - 1]!;
  for (let i = start + count - 2; i >= start; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/**
 * A proof plan: the ranges whose MTH form the proof (in proof order) plus the stored indexes to read.
 * Ranges are kept as a flat [lo0, hi0, lo1, hi1, …] list to avoid small-object allocations.
 */
export interface ProofPlan {
  readonly ranges: number[];
  readonly indexes: number[];
}

/** Builds the stored-index list for a list of ranges given top-down, and returns them in proof order. */
export function planFromTopDown(topDown: number[]): ProofPlan {
  const ranges: number[] = [];
  for (let i = topDown.length - 2; i >= 0; i -= 2) ranges.push(topDown[i]!, topDown[i + 1]!);
  const indexes: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) appendRangeIndexes(ranges[i]!, ranges[i + 1]!, indexes);
  return { ranges, indexes };
}

/** Evaluates a plan against the hashes read for `plan.indexes`. */
export function evaluatePlan(plan: ProofPlan, hashes: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let i = 0; i < plan.ranges.length; i += 2) {
    const count = rangeHashCount(plan.ranges[i]!, plan.ranges[i + 1]!);
    out.push(foldRange(hashes, pos, count));
    pos += count;
  }
  return out;
}
