import { isUint, popcount, trailingZeros } from './bits.ts';
import { LogFormatError } from './errors.ts';

/**
 * Position of a stored hash in the log's dense, append-only hash sequence.
 *
 * The log stores, for every level L, the hash of each *complete* subtree of 2^L leaves
 * (MTH(D[n·2^L : (n+1)·2^L]) in RFC 9162 §2.1.1 terms). When leaf n is appended it stores its leaf
 * hash followed by the hashes of the subtrees it completes (one per trailing 1-bit of n), so the
 * sequence only ever grows at its end. This is the layout of Go's sumdb/tlog (the model named by
 * the design) and of C2SP tlog-tiles' tile contents.
 */
export type StoredHashIndex = number;

/** Largest leaf position the index arithmetic supports exactly (2·n must stay a safe integer). */
export const MAX_STORED_LEAF = 2 ** 51;

/** Number of hashes stored before leaf n's leaf hash: Σ_{j<n}(1 + tz(j+1)) = 2n − popcount(n). */
function leafBase(n: number): number {
  return 2 * n - popcount(n);
}

/**
 * The storage position of the complete subtree at (level, n): the hash of leaves
 * [n·2^level, (n+1)·2^level).
 *
 * Why this formula: that subtree is completed by its last leaf m = (n+1)·2^level − 1, and is the
 * `level`-th hash written after m's leaf hash (see {@link StoredHashIndex}).
 */
export function storedHashIndex(level: number, n: number): StoredHashIndex {
  if (!isUint(level) || level > 52 || !isUint(n)) {
    throw new LogFormatError('BAD_ARGUMENT', `bad stored hash coordinates (${level}, ${n})`);
  }
  const last = (n + 1) * 2 ** level - 1;
  if (last > MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `subtree (${level}, ${n}) is beyond the supported size`);
  return leafBase(last) + level;
}

/** The inverse of {@link storedHashIndex}: which (level, n) subtree a storage position holds. */
export function splitStoredHashIndex(index: StoredHashIndex): { level: number; n: number } {
  if (!isUint(index) || index > 2 * MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad stored hash index ${index}`);
  // leafBase(m) ≤ 2m, so the leaf whose group holds `index` is at least index/2; each step moves by
  // one leaf and there are at most popcount-many steps (≤ 53).
  let m = Math.floor(index / 2);
  let base = leafBase(m);
  for (;;) {
    const next = base + 1 + trailingZeros(m + 1);
    if (next > index) break;
    m++;
    base = next;
  }
  const level = index - base;
  return { level, n: Math.floor(m / 2 ** level) };
}

/** How many hashes a log of `size` leaves has stored in total (the length of the sequence). */
export function storedHashCount(size: number): number {
  if (!isUint(size) || size > MAX_STORED_LEAF) throw new LogFormatError('BAD_ARGUMENT', `bad tree size ${size}`);
  return leafBase(size);
}
