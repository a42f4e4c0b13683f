import { createHash } from 'node:crypto';

/** Size in bytes of every Merkle tree hash (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

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
  return view(createHash('sha256').update(LEAF_PREFIX).update(data).digest());
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return view(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
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
