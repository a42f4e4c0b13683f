import { decodeBase64Strict, encodeBase64 } from './base64.ts';
import { LogFormatError } from './errors.ts';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.ts';
import { decodeNoteText, textProblem, utf8 } from './text.ts';

/**
 * Largest signed note accepted, in bytes. An Ed25519 checkpoint with many cosignatures is a few kB,
 * but C2SP signed-note asks verifiers to accept 16 signatures that may be post-quantum (~5 kB each).
 */
export const MAX_NOTE_SIZE = 256 * 1024;
/** Most signature lines accepted; C2SP signed-note requires at least 16 to be accepted. */
export const MAX_NOTE_SIGNATURES = 64;

/** U+2014 EM DASH then a space: the start of every signature line (C2SP signed-note §Format). */
const SIG_PREFIX = '\u2014 ';

/** One signature line: key name, key ID and the signature bytes after the 4-byte key ID. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/** A syntactically valid signed note whose signatures have not been checked yet. */
export interface ParsedNote {
  /** The note text, including its final newline but not the blank separator line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Limits applied while parsing outside input. */
export interface NoteLimits {
  readonly maxSize?: number;
  readonly maxSignatures?: number;
}

/** What became of one signature line when checked against the known verifiers. */
export interface CheckedSignature extends NoteSignature {
  /** verified: known key, good signature; invalid: known key, bad signature; unknown: ignored. */
  readonly status: 'verified' | 'invalid' | 'unknown';
  readonly verifier?: NoteVerifier;
}

/** A note with at least one verified signature and no failed signature from a known key. */
export interface VerifiedNote {
  readonly text: string;
  readonly verified: readonly CheckedSignature[];
  readonly unverified: readonly NoteSignature[];
}

function malformed(why: string): LogFormatError {
  return new LogFormatError('MALFORMED_NOTE', `malformed signed note: ${why}`);
}

/** Checks a note text is signable: non-empty, ends in newline, valid UTF-8, no control characters. */
function checkText(text: string): void {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) throw malformed('text must be non-empty and end with a newline');
  const bad = textProblem(text, true);
  if (bad) throw malformed(`text ${bad}`);
}

/**
 * Parses a signed note per C2SP signed-note §Format without checking signatures: UTF-8 with no
 * control characters but newline; the text (ending in newline) is split from the signatures at the
 * *last* blank line; each signature line is `— <name> <base64(keyid ‖ sig)>` followed by newline.
 *
 * Why strict: a note is authenticated input; any ambiguity in where the text ends or which key a
 * line names could let two parties read different content from the same bytes. Limits bound the
 * work an attacker can cause.
 */
export function parseNote(note: string | Uint8Array, limits: NoteLimits = {}): ParsedNote {
  const maxSize = limits.maxSize ?? MAX_NOTE_SIZE;
  const maxSignatures = limits.maxSignatures ?? MAX_NOTE_SIGNATURES;
  const s = decodeNoteText(note, maxSize, 'MALFORMED_NOTE', 'signed note');
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature block must be non-empty and end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) throw malformed(`more than ${maxSignatures} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw malformed('signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) throw malformed('signature line needs a key name and a signature');
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    if (!isValidKeyName(name)) throw malformed('invalid key name in signature line');
    if (b64.length === 0) throw malformed('empty signature');
    const raw = decodeBase64Strict(b64, 'MALFORMED_NOTE', 'signature');
    if (raw.length < 5) throw malformed('signature is shorter than a key ID plus one byte');
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    signatures.push({ name, keyId, signature: raw.subarray(4) });
  }
  return { text, signatures };
}

/** Serializes a note: text, blank line, one `— name base64(keyid ‖ sig)` line per signature. */
export function formatNote(text: string, signatures: readonly NoteSignature[]): string {
  checkText(text);
  if (signatures.length === 0) throw malformed('a signed note needs at least one signature');
  let out = `${text}\n`;
  for (const sig of signatures) {
    if (!isValidKeyName(sig.name)) throw malformed('invalid key name');
    const raw = new Uint8Array(4 + sig.signature.length);
    new DataView(raw.buffer).setUint32(0, sig.keyId >>> 0);
    raw.set(sig.signature, 4);
    out += `${SIG_PREFIX}${sig.name} ${encodeBase64(raw)}\n`;
  }
  return out;
}

/** One signer's signature over a note text (e.g. a witness adding its cosignature to a note). */
export function signNoteText(text: string, signer: NoteSigner): NoteSignature {
  checkText(text);
  if (!isValidKeyName(signer.name)) throw malformed('signer has an invalid key name');
  if (!Number.isInteger(signer.keyId) || signer.keyId < 0 || signer.keyId > 0xffffffff) throw malformed('signer key ID is not a uint32');
  return { name: signer.name, keyId: signer.keyId, signature: signer.sign(utf8(text)) };
}

/** Signs `text` with every signer and returns the serialized signed note (C2SP signed-note §Format). */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  return formatNote(
    text,
    signers.map((s) => signNoteText(text, s)),
  );
}

function verifierIndex(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const map = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const key = `${v.name}\n${v.keyId >>> 0}`;
    const had = map.get(key);
    if (had && had !== v) throw new LogFormatError('BAD_ARGUMENT', `two different verifiers share name ${v.name} and key ID`);
    map.set(key, v);
  }
  return map;
}

/**
 * Checks every signature line of a parsed note against the known verifiers (C2SP signed-note
 * §Signatures): a line is matched by key name *and* key ID; lines matching no known key are
 * "unknown" and ignored; a known key's signature is verified over the note text.
 */
export function checkNoteSignatures(parsed: ParsedNote, verifiers: readonly NoteVerifier[]): CheckedSignature[] {
  const known = verifierIndex(verifiers);
  const message = utf8(parsed.text);
  return parsed.signatures.map((sig) => {
    const v = known.get(`${sig.name}\n${sig.keyId}`);
    if (!v) return { ...sig, status: 'unknown' as const };
    return { ...sig, status: v.verify(message, sig.signature) ? ('verified' as const) : ('invalid' as const), verifier: v };
  });
}

/**
 * Parses and verifies a signed note: it must carry at least one valid signature from a known key
 * (MUST in C2SP signed-note) and no invalid signature from a known key (the spec's SHOULD; we
 * reject). Signatures from unknown keys are returned, unverified, and never trusted.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[], limits?: NoteLimits): VerifiedNote {
  const parsed = parseNote(note, limits);
  const checked = checkNoteSignatures(parsed, verifiers);
  const bad = checked.find((c) => c.status === 'invalid');
  if (bad) throw new LogFormatError('SIGNATURE_INVALID', `signature by ${bad.name} does not verify`);
  const verified = checked.filter((c) => c.status === 'verified');
  if (verified.length === 0) throw new LogFormatError('NO_KNOWN_SIGNATURE', 'no signature from a known key');
  const unverified = parsed.signatures.filter((_, i) => checked[i]!.status === 'unknown');
  return { text: parsed.text, verified, unverified };
}
