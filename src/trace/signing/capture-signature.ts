import crypto, { createHash } from 'node:crypto';

/**
 * The organisation signature on a capture (docs/api/trace.md §1): a detached Ed25519 (RFC 8032)
 * signature over a small signature base that names the key and the SHA-256 of the exact request
 * body bytes. Signing a digest rather than the body lets a browser re-check the signature from the
 * few bytes kept in a log leaf (the idea of RFC 9530 Content-Digest inside an RFC 9421 base).
 */

/** First line of every signature base; bumps with any change of the format. */
export const CAPTURE_SIGNATURE_VERSION = 'cantho-capture/v1';

/** Largest Cantho-Signature header accepted (a key ID and 88 base64 characters fit easily). */
const MAX_HEADER = 512;

/** Organisation codes: short, lower-case, URL- and leaf-safe. */
export const ORG_CODE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Key IDs: `<org code>.<16 hex>`. */
export const KEY_ID = /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)\.([0-9a-f]{16})$/;

/** `sha-256:<hex>` of some bytes: the digest notation used in signature bases and leaves. */
export function sha256Tagged(bytes: Uint8Array | string): string {
  return `sha-256:${oneShot ? oneShot('sha256', bytes, 'hex') : createHash('sha256').update(bytes).digest('hex')}`;
}

// One-shot crypto.hash where available (Node ≥ 20.12): cheaper for the per-event digests.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array | string, enc: 'hex') => string }).hash;

/** The key ID of an organisation's raw 32-byte Ed25519 public key. */
export function keyIdFor(orgCode: string, publicKey: Uint8Array): string {
  return `${orgCode}.${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;
}

/** The exact bytes an organisation signs for a capture whose body has digest `digest`. */
export function captureSignatureBase(keyId: string, digest: string): string {
  return `${CAPTURE_SIGNATURE_VERSION}\nkey ${keyId}\ndigest ${digest}\n`;
}

/** A parsed `Cantho-Signature` header. */
export interface SignatureHeader {
  readonly keyId: string;
  readonly signature: Uint8Array;
}

const STD_BASE64_64 = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Parses `Cantho-Signature: keyid="<keyId>", sig="<base64>"` (quotes optional, parameters in any
 * order, separated by commas or semicolons). Returns a reason string on failure: the header is
 * attacker-controlled, so anything but the canonical shapes is refused.
 */
export function parseSignatureHeader(header: string): SignatureHeader | string {
  if (header.length > MAX_HEADER) return 'the Cantho-Signature header is too long';
  const params = new Map<string, string>();
  for (const part of header.split(/[,;]/)) {
    const m = /^\s*([a-z]+)\s*=\s*(?:"([^"]*)"|([^\s"]*))\s*$/.exec(part);
    if (!m) return 'the Cantho-Signature header must be keyid="…", sig="…"';
    if (params.has(m[1]!)) return `the Cantho-Signature header repeats ${m[1]}`;
    params.set(m[1]!, m[2] ?? m[3] ?? '');
  }
  const keyId = params.get('keyid');
  const sig = params.get('sig');
  if (!keyId || !KEY_ID.test(keyId)) return 'keyid must be "<organisation code>.<16 hex digits>"';
  if (!sig || !STD_BASE64_64.test(sig)) return 'sig must be the standard base64 of a 64-byte Ed25519 signature';
  const bytes = Buffer.from(sig, 'base64');
  if (bytes.toString('base64') !== sig) return 'sig is not canonical base64';
  return { keyId, signature: new Uint8Array(bytes) };
}

/** Formats the header a client sends (used by the CLI, demo, tests and benchmarks). */
export function formatSignatureHeader(keyId: string, signature: Uint8Array): string {
  return `keyid="${keyId}", sig="${Buffer.from(signature).toString('base64')}"`;
}
