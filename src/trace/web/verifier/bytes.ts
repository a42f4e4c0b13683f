/**
 * Byte helpers for the in-browser verifier: strict base64, UTF-8 and SHA-256 / Ed25519 through
 * WebCrypto (`crypto.subtle`), so the same module runs in a browser and in Node 20 tests.
 *
 * Why not reuse src/trace/log: that library is built on node:crypto and Buffer, which a browser
 * does not have; these few functions are the only platform-dependent part of verification.
 */

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 4648 §4 standard base64, canonical only (padding required, unused bits zero); null if not. */
export function decodeBase64(s: string): Uint8Array | null {
  if (typeof s !== 'string' || !STD_BASE64.test(s)) return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return encodeBase64(out) === s ? out : null;
}

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Concatenation of byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte-wise equality (public values, no timing concern). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** The WebCrypto SubtleCrypto, or null where it is missing (an insecure http:// origin). */
export function subtle(): SubtleCrypto | null {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c?.subtle ? c.subtle : null;
}

function needSubtle(): SubtleCrypto {
  const s = subtle();
  if (!s) throw new Error('WebCrypto (crypto.subtle) is unavailable');
  return s;
}

// WebCrypto wants ArrayBuffer-backed views; copy so SharedArrayBuffer-backed input is accepted too.
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

/** SHA-256 of the given bytes. */
export async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await needSubtle().digest('SHA-256', buf(concat(...parts))));
}

/** An imported raw Ed25519 public key, or null if WebCrypto rejects it (not a valid point). */
export async function importEd25519(publicKey: Uint8Array): Promise<CryptoKey | null> {
  if (publicKey.length !== 32) return null;
  try {
    return await needSubtle().importKey('raw', buf(publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

/** RFC 8032 Ed25519 verification; false (never a throw) for malformed input. */
export async function ed25519Verify(key: CryptoKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    return await needSubtle().verify({ name: 'Ed25519' }, key, buf(signature), buf(message));
  } catch {
    return false;
  }
}
