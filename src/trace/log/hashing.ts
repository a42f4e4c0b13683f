import crypto, { createHash } from 'node:crypto';

/** Size in bytes of every Merkle tree hash (SHA-256). */
export const HASH_SIZE = 32;


function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ data).
 *
 * Why the 0x00 prefix: leaf and interior-node hashes live in different domains, so no leaf can be
 * passed off as an interior node (second-preimage resistance of the tree).
 */
export function leafHash(data: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(1 + data.length);
  buf[0] = 0x00;
  buf.set(data, 1);
  return view(sha256(buf));
}

/**
 * {@link leafHash} of the UTF-8 bytes of `text`, without encoding it into a separate buffer first:
 * a string is hashed as UTF-8 (lone surrogates as U+FFFD, like TextEncoder), so the 0x00 prefix can
 * travel as a U+0000 character.
 */
export function leafHashOfText(text: string): Uint8Array {
  if (oneShotText) return view(oneShotText('sha256', `\u0000${text}`, 'buffer'));
  return leafHash(new TextEncoder().encode(text));
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return view(sha256(buf));
}

// One-shot crypto.hash (Node ≥ 20.12) is about twice as fast as createHash for these small inputs;
// the log hashes two or three times per appended leaf.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;
const oneShotText = oneShot as ((alg: string, data: string, enc: 'buffer') => Buffer) | undefined;
function sha256(data: Buffer): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
}

/** RFC 9162 §2.1.1: MTH({}) = SHA-256() — the root hash of the empty tree. */
export const EMPTY_TREE_HASH: Uint8Array = view(createHash('sha256').digest());

/** Byte-wise equality (hashes are public values, so a timing-safe compare is not needed). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `h` is a Uint8Array of exactly {@link HASH_SIZE} bytes. */
export function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}
