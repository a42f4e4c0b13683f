import { createHash } from 'node:crypto';
import { decodeBase64Strict, encodeBase64 } from './base64.ts';
import { ED25519_KEY_SIZE, ed25519FromSeed, ed25519Generate, ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts';
import { LogFormatError } from './errors.ts';
import { textProblem } from './text.ts';

/** C2SP signed-note §Signature types: 0x01, Ed25519 over the note text. */
export const SIG_TYPE_ED25519 = 0x01;
/** C2SP signed-note §Signature types: 0x04, timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/**
 * Something that can add one signature line to a note: its key name, 32-bit key ID and a function
 * from the note text (UTF-8 bytes) to the signature bytes (without the key ID prefix).
 */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/** Checks one signature (without key ID prefix) over the note text for a known (name, key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A decoded verifier key `name+hexkeyid+base64(type ‖ public key)`. */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/** A decoded signer key `PRIVATE+KEY+name+hexkeyid+base64(type ‖ seed)`. */
export interface SignerKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * C2SP signed-note §Format: key names MUST be non-empty and contain no Unicode spaces and no '+'.
 * (Control characters are rejected too, as notes may not contain them.)
 */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !/[\p{White_Space}+]/u.test(name) && textProblem(name, false) === null;
}

/**
 * C2SP signed-note §Signatures: key ID = first 4 bytes (big-endian uint32) of
 * SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key).
 */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const d = createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, type)).update(publicKey).digest();
  return d.readUInt32BE(0);
}

/** A key ID as the 8 lowercase hex digits used in key encodings. */
export function keyIdHex(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, '0');
}

const KEY_HASH = /^[0-9a-fA-F]{8}$/;

/** Splits `name+keyid+keydata` at its first two '+' (names have none; base64 key data may). */
function splitKey(s: string): [string, string, string] | null {
  const a = s.indexOf('+');
  const b = a < 0 ? -1 : s.indexOf('+', a + 1);
  if (b < 0) return null;
  return [s.slice(0, a), s.slice(a + 1, b), s.slice(b + 1)];
}

function typedKey(name: string, hash: string, data: string, what: string): { keyId: number; type: number; key: Uint8Array } {
  if (!isValidKeyName(name)) throw new LogFormatError('BAD_KEY', `${what} has an invalid key name`);
  if (!KEY_HASH.test(hash)) throw new LogFormatError('BAD_KEY', `${what} key ID must be 8 hex digits`);
  const raw = decodeBase64Strict(data, 'BAD_KEY', `${what} key data`);
  if (raw.length < 1) throw new LogFormatError('BAD_KEY', `${what} key data is empty`);
  const type = raw[0]!;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new LogFormatError('BAD_KEY', `${what} has unsupported signature type 0x${type.toString(16).padStart(2, '0')}`);
  }
  const key = raw.subarray(1);
  if (key.length !== ED25519_KEY_SIZE) throw new LogFormatError('BAD_KEY', `${what} key must be 32 bytes`);
  return { keyId: Number.parseInt(hash, 16), type, key };
}

/**
 * Parses a verifier key `name+hexkeyid+base64(type ‖ pubkey)` (the golang.org/x/mod/sumdb/note
 * encoding that C2SP signed-note refers to as vkeys). Only the Ed25519 types 0x01 and 0x04 are
 * supported; the key ID must equal the one computed from the key, so a typo cannot go unnoticed.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 1024) throw new LogFormatError('BAD_KEY', 'verifier key must be a short string');
  const parts = splitKey(vkey);
  if (!parts) throw new LogFormatError('BAD_KEY', 'verifier key must be name+keyid+keydata');
  const [name, hash, data] = parts;
  const { keyId, type, key } = typedKey(name, hash, data, 'verifier key');
  ed25519PublicKey(key); // reject keys node:crypto cannot load
  if (computeKeyId(name, type, key) !== keyId) throw new LogFormatError('BAD_KEY', 'verifier key ID does not match the key');
  return { name, keyId, type, publicKey: new Uint8Array(key) };
}

/**
 * Parses a signer key `PRIVATE+KEY+name+hexkeyid+base64(type ‖ 32-byte seed)`; the key ID must
 * match the public key derived from the seed.
 */
export function parseSignerKey(skey: string): SignerKey {
  if (typeof skey !== 'string' || skey.length > 1024) throw new LogFormatError('BAD_KEY', 'signer key must be a short string');
  const parts = skey.startsWith('PRIVATE+KEY+') ? splitKey(skey.slice('PRIVATE+KEY+'.length)) : null;
  if (!parts) throw new LogFormatError('BAD_KEY', 'signer key must be PRIVATE+KEY+name+keyid+keydata');
  const [name, hash, data] = parts;
  const { keyId, type, key } = typedKey(name, hash, data, 'signer key');
  const pair = ed25519FromSeed(key);
  if (computeKeyId(name, type, pair.publicKey) !== keyId) throw new LogFormatError('BAD_KEY', 'signer key ID does not match the key');
  return { name, keyId, type, seed: pair.seed, publicKey: pair.publicKey };
}

/** Encodes a verifier key `name+hexkeyid+base64(type ‖ pubkey)`. */
export function encodeVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LogFormatError('BAD_KEY', 'invalid key name');
  const id = computeKeyId(name, type, publicKey);
  return `${name}+${keyIdHex(id)}+${encodeBase64(Uint8Array.of(type, ...publicKey))}`;
}

/** Encodes a signer key `PRIVATE+KEY+name+hexkeyid+base64(type ‖ seed)`. */
export function encodeSignerKey(name: string, type: number, seed: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LogFormatError('BAD_KEY', 'invalid key name');
  const pair = ed25519FromSeed(seed);
  const id = computeKeyId(name, type, pair.publicKey);
  return `PRIVATE+KEY+${name}+${keyIdHex(id)}+${encodeBase64(Uint8Array.of(type, ...seed))}`;
}

/**
 * Generates a fresh Ed25519 key pair for a note key name and returns both encodings. `type` is
 * 0x01 for a log (plain signed-note) key, 0x04 for a witness cosignature key.
 */
export function generateNoteKeys(name: string, type: number = SIG_TYPE_ED25519): { signerKey: string; verifierKey: string } {
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) throw new LogFormatError('BAD_KEY', 'unsupported key type');
  const pair = ed25519Generate();
  return { signerKey: encodeSignerKey(name, type, pair.seed), verifierKey: encodeVerifierKey(name, type, pair.publicKey) };
}

/**
 * An Ed25519 (type 0x01) note signer from a signer key: signs the note text itself, per C2SP
 * signed-note §Ed25519 signatures.
 */
export function ed25519NoteSigner(skey: string): NoteSigner {
  const k = parseSignerKey(skey);
  if (k.type !== SIG_TYPE_ED25519) throw new LogFormatError('BAD_KEY', 'signer key is not a plain Ed25519 (0x01) key');
  const { privateKeyObject } = ed25519FromSeed(k.seed);
  return { name: k.name, keyId: k.keyId, sign: (text) => ed25519Sign(privateKeyObject, text) };
}

/** An Ed25519 (type 0x01) note verifier from a verifier key. */
export function ed25519NoteVerifier(vkey: string): NoteVerifier {
  const k = parseVerifierKey(vkey);
  if (k.type !== SIG_TYPE_ED25519) throw new LogFormatError('BAD_KEY', 'verifier key is not a plain Ed25519 (0x01) key');
  const pub = ed25519PublicKey(k.publicKey);
  return { name: k.name, keyId: k.keyId, verify: (text, sig) => ed25519Verify(pub, text, sig) };
}
