import { bytesEqual, concat, decodeBase64, ed25519Verify, importEd25519, sha256, utf8 } from './bytes.ts';

/**
 * C2SP signed-note, tlog-checkpoint and tlog-cosignature, verification side only, for the browser
 * (WebCrypto). Mirrors the strict parsing of src/trace/log/note.ts, checkpoint.ts and
 * cosignature.ts; a differential test (note.test.ts) holds the two to the same verdicts.
 */

/** C2SP signed-note §Signature types. */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

const SIG_PREFIX = '\u2014 ';
const MAX_NOTE_CHARS = 256 * 1024;
const MAX_SIGNATURES = 64;

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Signature bytes after the 4-byte key ID. */
  readonly signature: Uint8Array;
}

/** A parsed signed note (signatures not checked). */
export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A pinned verifier key `name+hexkeyid+base64(type ‖ pubkey)`, decoded and imported. */
export interface PinnedKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
  readonly key: CryptoKey;
}

/** Why a string is not acceptable note text (null if fine): control characters, lone surrogates. */
function textProblem(s: string, allowNewline: boolean): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return 'contains a control character';
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return 'is not valid Unicode';
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return 'is not valid Unicode';
  }
  return null;
}

/** C2SP signed-note §Format: key names are non-empty with no Unicode spaces and no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\p{White_Space}+]/u.test(name) && textProblem(name, false) === null;
}

/**
 * Parses a signed note (C2SP signed-note §Format): text up to the last blank line, then lines
 * `— <name> <base64(keyid ‖ sig)>`. Throws an Error saying why the note is malformed.
 */
export function parseNote(note: string): ParsedNote {
  if (typeof note !== 'string' || note.length > MAX_NOTE_CHARS) throw new Error('signed note is missing or too large');
  const bad = textProblem(note, true);
  if (bad) throw new Error(`signed note ${bad}`);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('signed note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw new Error('signed note has no signature block');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new Error('signed note has too many signatures');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new Error('signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw new Error('signature line needs a key name and a signature');
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) throw new Error('invalid key name in a signature line');
    const raw = decodeBase64(rest.slice(space + 1));
    if (!raw || raw.length < 5) throw new Error('signature is not canonical base64 of a key ID and signature');
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    signatures.push({ name, keyId, signature: raw.subarray(4) });
  }
  return { text, signatures };
}

/** C2SP signed-note: key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian u32. */
export async function computeKeyId(name: string, type: number, publicKey: Uint8Array): Promise<number> {
  const d = await sha256(utf8(name), Uint8Array.of(0x0a, type), publicKey);
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

/**
 * Decodes and imports a pinned verifier key; its key ID must match the key (so a mistyped pin
 * cannot pass unnoticed). Only Ed25519 (0x01) and cosignature/v1 (0x04) keys are accepted.
 */
export async function importVerifierKey(vkey: string, wantType: number): Promise<PinnedKey> {
  if (typeof vkey !== 'string' || vkey.length > 1024) throw new Error('pinned key must be a short string');
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (b < 0) throw new Error('pinned key must be name+keyid+keydata');
  const name = vkey.slice(0, a);
  const hash = vkey.slice(a + 1, b);
  if (!isValidKeyName(name)) throw new Error('pinned key has an invalid name');
  if (!/^[0-9a-fA-F]{8}$/.test(hash)) throw new Error('pinned key ID must be 8 hex digits');
  const raw = decodeBase64(vkey.slice(b + 1));
  if (raw?.length !== 33) throw new Error('pinned key data must be a type byte and 32 bytes');
  const type = raw[0]!;
  if (type !== wantType) throw new Error(`pinned key ${name} has type 0x${type.toString(16).padStart(2, '0')}, expected 0x0${wantType}`);
  const publicKey = raw.slice(1);
  const keyId = Number.parseInt(hash, 16);
  if ((await computeKeyId(name, type, publicKey)) !== keyId) throw new Error(`pinned key ${name}: key ID does not match the key`);
  const key = await importEd25519(publicKey);
  if (!key) throw new Error(`pinned key ${name} is not a valid Ed25519 public key`);
  return { name, keyId, type, publicKey, key };
}

/** A checkpoint body (C2SP tlog-checkpoint §Note text). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

/** Parses a checkpoint body strictly, like src/trace/log/checkpoint.ts. Throws on malformed input. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint needs origin, size and root hash lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0 || textProblem(origin, false)) throw new Error('checkpoint origin is empty or invalid');
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) throw new Error('checkpoint tree size is not canonical decimal');
  const rootHash = decodeBase64(rootLine);
  if (rootHash?.length !== 32) throw new Error('checkpoint root hash is not base64 of 32 bytes');
  for (const e of extensions) if (e.length === 0 || textProblem(e, false)) throw new Error('checkpoint has an empty or invalid extension line');
  return { origin, size: Number(sizeLine), rootHash, extensions };
}

/** True when `sig` is a valid plain Ed25519 note signature of `text` by `key`. */
export async function verifyEd25519NoteSignature(key: PinnedKey, text: string, sig: NoteSignature): Promise<boolean> {
  if (sig.name !== key.name || sig.keyId !== key.keyId) return false;
  return ed25519Verify(key.key, utf8(text), sig.signature);
}

/**
 * C2SP tlog-cosignature: the signature is u64 BE timestamp ‖ Ed25519 over
 * "cosignature/v1\ntime <t>\n" ‖ checkpoint body. Returns the timestamp when valid, else null.
 */
export async function verifyCosignatureV1(key: PinnedKey, text: string, sig: NoteSignature): Promise<number | null> {
  if (sig.name !== key.name || sig.keyId !== key.keyId || sig.signature.length !== 72) return null;
  const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8);
  const ts = view.getBigUint64(0);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const message = concat(utf8(`cosignature/v1\ntime ${ts}\n`), utf8(text));
  return (await ed25519Verify(key.key, message, sig.signature.subarray(8))) ? Number(ts) : null;
}

export { bytesEqual };
