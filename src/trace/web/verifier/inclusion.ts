import { bytesEqual, sha256 } from './bytes.ts';

/**
 * RFC 9162 §2.1 hashing and §2.1.3.2 inclusion-proof verification with WebCrypto (async). Same
 * algorithm and the same up-front rejections as src/trace/log/verify-inclusion.ts.
 */

const TWO32 = 2 ** 32;

/** RFC 9162 §2.1.1: leaf hash SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(Uint8Array.of(0x00), data);
}

/** RFC 9162 §2.1.1: interior node hash SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(Uint8Array.of(0x01), left, right);
}

function bitLength(n: number): number {
  const hi = Math.floor(n / TWO32);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(n >>> 0);
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) c += v % 2;
  return c;
}

function xor(a: number, b: number): number {
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  const hi = ((Math.floor(a / TWO32) >>> 0) ^ (Math.floor(b / TWO32) >>> 0)) >>> 0;
  return hi * TWO32 + lo;
}

const isUint = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** Why the inclusion proof fails, or null when it proves `leaf` is leaf `index` of the tree with `root`. */
export async function inclusionProofError(
  index: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<string | null> {
  if (!isUint(index) || !isUint(treeSize)) return 'leaf index and tree size must be non-negative integers';
  if (index >= treeSize) return `leaf index ${index} is not below tree size ${treeSize}`;
  if (leaf.length !== 32 || root.length !== 32) return 'hashes must be 32 bytes';
  if (proof.some((p) => p.length !== 32)) return 'a proof hash is not 32 bytes';
  const inner = bitLength(xor(index, treeSize - 1));
  const want = inner + popcount(Math.floor(index / 2 ** inner));
  if (proof.length !== want) return `proof has ${proof.length} hashes, the tree shape needs ${want}`;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return 'proof is longer than the path to the root';
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return 'proof is shorter than the path to the root';
  return bytesEqual(r, root) ? null : 'computed root does not match the checkpoint root';
}
