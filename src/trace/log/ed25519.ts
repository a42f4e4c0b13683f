import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { LogFormatError } from './errors.ts';

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8, RFC 8410 §7) and public key
// (SubjectPublicKeyInfo, RFC 8410 §4), so node:crypto can use raw key bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Size of an Ed25519 seed (private key) and public key, in bytes (RFC 8032 §5.1.5). */
export const ED25519_KEY_SIZE = 32;
/** Size of an Ed25519 signature, in bytes (RFC 8032 §5.1.6). */
export const ED25519_SIGNATURE_SIZE = 64;

/**
 * A raw Ed25519 key pair built only on node:crypto.
 *
 * Why raw bytes: C2SP signed-note keys carry the 32-byte seed and public key directly, not PEM/DER,
 * so we convert once here and keep the KeyObjects for fast repeated signing and verification.
 */
export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly privateKeyObject: KeyObject;
  readonly publicKeyObject: KeyObject;
}

/** Derives the key pair of a 32-byte seed. */
export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_KEY_SIZE) throw new LogFormatError('BAD_KEY', 'Ed25519 seed must be 32 bytes');
  const privateKeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKeyObject = createPublicKey(privateKeyObject);
  const spki = publicKeyObject.export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - ED25519_KEY_SIZE));
  return { seed: new Uint8Array(seed), publicKey, privateKeyObject, publicKeyObject };
}

/** A fresh random key pair (seed from the CSPRNG). */
export function ed25519Generate(): Ed25519KeyPair {
  return ed25519FromSeed(new Uint8Array(randomBytes(ED25519_KEY_SIZE)));
}

/** Imports a raw 32-byte Ed25519 public key. */
export function ed25519PublicKey(publicKey: Uint8Array): KeyObject {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_SIZE) {
    throw new LogFormatError('BAD_KEY', 'Ed25519 public key must be 32 bytes');
  }
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    throw new LogFormatError('BAD_KEY', 'Ed25519 public key is not a valid point');
  }
}

/** RFC 8032 PureEd25519 signature (deterministic) over `message`. */
export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey));
}

/** RFC 8032 verification; false (never a throw) for a malformed signature. */
export function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
