/**
 * Integer helpers for tree sizes and indexes held in JS numbers.
 *
 * Why: JS bitwise operators work on 32 bits only, but a log's indexes may exceed 2^32. Every helper
 * here works exactly on non-negative safe integers (≤ 2^53 − 1) using arithmetic, so the Merkle code
 * never silently truncates an index. Internal module (not part of the public API).
 */

const TWO32 = 2 ** 32;

/** True when `n` is a non-negative safe integer (a valid index or size). */
export function isUint(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of set bits of a non-negative safe integer. */
export function popcount(n: number): number {
  return popcount32(n >>> 0) + popcount32(Math.floor(n / TWO32));
}

/** Number of bits needed to write `n` (0 for 0); like Go's bits.Len64. */
export function bitLength(n: number): number {
  const hi = Math.floor(n / TWO32);
  if (hi > 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(n >>> 0);
}

/** Trailing zero bits of a positive safe integer. */
export function trailingZeros(n: number): number {
  const lo = n >>> 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(n / TWO32) >>> 0;
  return 32 + (31 - Math.clz32(hi & -hi));
}

/** floor(n / 2^k), exact for safe integers. */
export function shr(n: number, k: number): number {
  return Math.floor(n / 2 ** k);
}

/** Bitwise XOR of two non-negative safe integers. */
export function xor(a: number, b: number): number {
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  const hi = ((Math.floor(a / TWO32) >>> 0) ^ (Math.floor(b / TWO32) >>> 0)) >>> 0;
  return hi * TWO32 + lo;
}

/** Largest power of two ≤ n (n ≥ 1). */
export function pow2AtMost(n: number): number {
  return 2 ** (bitLength(n) - 1);
}

/** Largest power of two strictly below n (n ≥ 2): the split point `k` of RFC 9162 §2.1.1. */
export function pow2Below(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/** True when n is a power of two (n ≥ 1). */
export function isPow2(n: number): boolean {
  return n >= 1 && popcount(n) === 1;
}
