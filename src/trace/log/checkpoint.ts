import { decodeBase64Strict, encodeBase64 } from './base64.ts';
import { LogFormatError } from './errors.ts';
import { HASH_SIZE } from './hashing.ts';
import { type NoteLimits, openNote, type VerifiedNote } from './note.ts';
import type { NoteVerifier } from './note-keys.ts';
import { textProblem } from './text.ts';

/**
 * A log's signed tree head as the body of a C2SP tlog-checkpoint note: the origin (log identity),
 * the tree size and the RFC 6962/9162 root hash, plus optional opaque extension lines.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

function bad(why: string): LogFormatError {
  return new LogFormatError('MALFORMED_CHECKPOINT', `malformed checkpoint: ${why}`);
}

function checkLine(line: string, what: string): void {
  if (line.length === 0) throw bad(`${what} must be non-empty`);
  const problem = textProblem(line, false);
  if (problem) throw bad(`${what} ${problem}`);
}

/**
 * Serializes a checkpoint body (C2SP tlog-checkpoint §Note text): origin, decimal size without
 * leading zeros, base64 root hash, then any extension lines, each ending in newline.
 */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine(c.origin, 'origin');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw bad('tree size must be a non-negative safe integer');
  if (!(c.rootHash instanceof Uint8Array) || c.rootHash.length !== HASH_SIZE) throw bad('root hash must be 32 bytes');
  let out = `${c.origin}\n${c.size}\n${encodeBase64(c.rootHash)}\n`;
  for (const ext of c.extensions ?? []) {
    checkLine(ext, 'extension line');
    out += `${ext}\n`;
  }
  return out;
}

/**
 * Parses a checkpoint body strictly (C2SP tlog-checkpoint §Note text): at least three non-empty
 * newline-terminated lines; the size is ASCII decimal with no leading zeros; the root hash is
 * canonical standard base64 of exactly 32 bytes; extension lines are non-empty.
 *
 * Why strict: each checkpoint must have exactly one byte encoding, so that two parties (a log and
 * a witness) can never disagree on what was signed. Sizes above 2^53 − 1 are rejected because
 * they cannot be held exactly in a JS number.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw bad('text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('needs origin, size and root hash lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'origin');
  if (!DECIMAL.test(sizeLine)) throw bad('tree size must be decimal without leading zeros');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw bad('tree size is too large');
  const rootHash = decodeBase64Strict(rootLine, 'MALFORMED_CHECKPOINT', 'root hash');
  if (rootHash.length !== HASH_SIZE) throw bad('root hash must be 32 bytes');
  for (const ext of extensions) checkLine(ext, 'extension line');
  return { origin, size, rootHash, extensions };
}

/** A checkpoint whose note carried a valid signature from the log. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: VerifiedNote;
}

/**
 * Verifies a signed checkpoint note with the log's key(s) and parses its body, requiring the
 * origin line to equal the expected origin (default: the first verifier's key name, which C2SP
 * tlog-checkpoint §Signatures says SHOULD match it). Cosignatures from unknown keys are ignored.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  opts: { readonly verifiers: readonly NoteVerifier[]; readonly origin?: string; readonly limits?: NoteLimits },
): OpenedCheckpoint {
  if (opts.verifiers.length === 0) throw new LogFormatError('BAD_ARGUMENT', 'need at least one log verifier');
  const opened = openNote(note, opts.verifiers, opts.limits);
  const checkpoint = parseCheckpoint(opened.text);
  const origin = opts.origin ?? opts.verifiers[0]!.name;
  if (checkpoint.origin !== origin) throw bad(`origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}`);
  return { checkpoint, note: opened };
}
