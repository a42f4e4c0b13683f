import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bitLength, isPow2, popcount, pow2AtMost, pow2Below, shr, trailingZeros, xor } from './bits.ts';

// BigInt reference implementations: exact for any size.
const big = (n: number): bigint => BigInt(n);
const refPopcount = (n: bigint): number => n.toString(2).replaceAll('0', '').length;
const refBitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);
const refTz = (n: bigint): number => {
  let k = 0;
  while (((n >> BigInt(k)) & 1n) === 0n) k++;
  return k;
};

test('integer helpers are exact across the whole safe-integer range (beyond 32 bits)', () => {
  const edge = [0, 1, 2, 3, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 52, 2 ** 53 - 1];
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...edge), fc.maxSafeNat()), fc.maxSafeNat(), (a, b) => {
      assert.equal(popcount(a), refPopcount(big(a)));
      assert.equal(bitLength(a), refBitLength(big(a)));
      if (a > 0) assert.equal(trailingZeros(a), refTz(big(a)));
      assert.equal(xor(a, b), Number(big(a) ^ big(b)));
      assert.equal(shr(a, 7), Number(big(a) >> 7n));
      if (a >= 1) assert.equal(pow2AtMost(a), Number(1n << BigInt(refBitLength(big(a)) - 1)));
      if (a >= 2) assert.equal(pow2Below(a), Number(1n << BigInt(refBitLength(big(a - 1)) - 1)));
      assert.equal(isPow2(a), a > 0 && refPopcount(big(a)) === 1);
    }),
    { numRuns: 2000, seed: 53 },
  );
});
