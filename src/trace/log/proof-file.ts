import { decodeBase64Strict, encodeBase64 } from './base64.ts';
import { type Checkpoint, parseCheckpoint } from './checkpoint.ts';
import { LogFormatError } from './errors.ts';
import { HASH_SIZE } from './hashing.ts';
import { checkNoteSignatures, MAX_NOTE_SIZE, type ParsedNote, parseNote } from './note.ts';
import type { NoteVerifier } from './note-keys.ts';
import { decodeNoteText } from './text.ts';
import { inclusionProofError } from './verify-inclusion.ts';

/** First line of every C2SP tlog-proof file. */
export const PROOF_FILE_HEADER = 'c2sp.org/tlog-proof@v1';
/** Most inclusion-proof hashes accepted (a tree of 2^53 leaves needs at most 53). */
export const MAX_PROOF_HASHES = 64;

/**
 * An offline, self-contained proof that an entry is in a log (C2SP tlog-proof): the entry's index,
 * its RFC 9162 inclusion proof, and the log's signed checkpoint (with any witness cosignatures)
 * carried verbatim, plus optional unauthenticated extra data.
 */
export interface ProofFile {
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, byte for byte as the log (and witnesses) signed it. */
  readonly checkpoint: string;
  /** Opaque application data; NOT authenticated by anything in the proof. */
  readonly extra?: Uint8Array;
}

function bad(why: string): LogFormatError {
  return new LogFormatError('MALFORMED_PROOF', `malformed tlog-proof: ${why}`);
}

const INDEX_LINE = /^index (0|[1-9][0-9]{0,15})$/;

/**
 * Serializes a proof (tlog-proof §Format): header line, optional `extra <base64>` line,
 * `index <N>`, one base64 hash per line from the leaf's sibling up, a blank line, then the signed
 * checkpoint verbatim.
 */
export function formatProofFile(p: ProofFile): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) throw bad('index must be a non-negative safe integer');
  if (p.proof.length > MAX_PROOF_HASHES) throw bad('too many proof hashes');
  parseNote(p.checkpoint); // the embedded checkpoint must itself be a well-formed signed note
  let out = `${PROOF_FILE_HEADER}\n`;
  if (p.extra !== undefined) out += `extra ${encodeBase64(p.extra)}\n`;
  out += `index ${p.index}\n`;
  for (const h of p.proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw bad('proof hashes must be 32 bytes');
    out += `${encodeBase64(h)}\n`;
  }
  return `${out}\n${p.checkpoint}`;
}

/**
 * Parses a tlog-proof strictly: exact header; optional `extra` line (canonical base64, may be
 * empty); `index` in decimal without leading zeros; 0–64 canonical base64 32-byte hashes; one
 * blank line; and a checkpoint that is a well-formed signed note. Signatures are NOT checked here
 * (see {@link verifyProofFile}).
 */
export function parseProofFile(input: string | Uint8Array): ProofFile {
  const s = decodeNoteText(input, MAX_NOTE_SIZE + 4096, 'MALFORMED_PROOF', 'tlog-proof');
  let pos = 0;
  const nextLine = (): string => {
    const nl = s.indexOf('\n', pos);
    if (nl < 0) throw bad('unexpected end of file');
    const line = s.slice(pos, nl);
    pos = nl + 1;
    return line;
  };
  if (nextLine() !== PROOF_FILE_HEADER) throw bad(`first line must be ${PROOF_FILE_HEADER}`);
  let line = nextLine();
  let extra: Uint8Array | undefined;
  if (line.startsWith('extra ')) {
    extra = decodeBase64Strict(line.slice(6), 'MALFORMED_PROOF', 'extra data');
    line = nextLine();
  }
  const m = INDEX_LINE.exec(line);
  if (!m) throw bad('expected an index line');
  const index = Number(m[1]);
  if (!Number.isSafeInteger(index)) throw bad('index is too large');
  const proof: Uint8Array[] = [];
  for (line = nextLine(); line !== ''; line = nextLine()) {
    if (proof.length === MAX_PROOF_HASHES) throw bad('too many proof hashes');
    const h = decodeBase64Strict(line, 'MALFORMED_PROOF', 'proof hash');
    if (h.length !== HASH_SIZE) throw bad('proof hashes must be 32 bytes');
    proof.push(h);
  }
  const checkpoint = s.slice(pos);
  parseNote(checkpoint);
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/** The checks {@link verifyProofFile} runs, in order. */
export type ProofCheckName = 'parse' | 'checkpoint' | 'origin' | 'log-signature' | 'inclusion' | 'witnesses';

/** The outcome of one check; `detail` says why it failed (or what passed). */
export interface ProofCheck {
  readonly check: ProofCheckName;
  readonly ok: boolean;
  readonly detail: string;
}

/** What one pinned witness contributed. */
export interface WitnessOutcome {
  readonly name: string;
  readonly keyId: number;
  readonly ok: boolean;
  /** Cosignature time (POSIX seconds) when the verifier can decode it. */
  readonly timestamp?: number;
  readonly detail: string;
}

/** The structured result of verifying a tlog-proof: every check, and what was proven. */
export interface ProofFileResult {
  readonly ok: boolean;
  readonly checks: readonly ProofCheck[];
  readonly index?: number;
  readonly checkpoint?: Checkpoint;
  readonly witnesses: readonly WitnessOutcome[];
  /** Unauthenticated extra data from the file, if any. */
  readonly extra?: Uint8Array;
}

/** Trust policy: the log's key, pinned witness keys and the quorum of witnesses required. */
export interface ProofPolicy {
  readonly logVerifier: NoteVerifier;
  readonly witnessVerifiers?: readonly NoteVerifier[];
  readonly minWitnesses?: number;
  /** The log's checkpoint origin; defaults to the log key's name. */
  readonly origin?: string;
}

const ORDER: readonly ProofCheckName[] = ['parse', 'checkpoint', 'origin', 'log-signature', 'inclusion', 'witnesses'];

function hasTimestampOf(v: NoteVerifier): v is NoteVerifier & { timestampOf(sig: Uint8Array): number | null } {
  return typeof (v as { timestampOf?: unknown }).timestampOf === 'function';
}

/**
 * Verifies a C2SP tlog-proof offline for a given RFC 9162 leaf hash: the file parses; its
 * checkpoint body parses and names the expected origin; the log's signature over it verifies; the
 * inclusion proof leads from the leaf hash at `index` to the checkpoint's root; and at least
 * `minWitnesses` distinct pinned witnesses cosigned that same checkpoint.
 *
 * Why every check is reported: an operator or citizen checking a trace record needs to know *which*
 * guarantee failed (bad log signature vs. missing witnesses vs. wrong entry), not just "invalid".
 * The result is ok only if all checks pass. Invalid cosignatures from pinned witnesses are listed
 * but only valid ones count towards the quorum.
 */
export function verifyProofFile(proof: string | Uint8Array | ProofFile, leafHash: Uint8Array, policy: ProofPolicy): ProofFileResult {
  const checks = new Map<ProofCheckName, ProofCheck>();
  const set = (check: ProofCheckName, ok: boolean, detail: string): void => {
    checks.set(check, { check, ok, detail });
  };
  const witnesses: WitnessOutcome[] = [];
  const minWitnesses = policy.minWitnesses ?? 0;
  const witnessVerifiers = policy.witnessVerifiers ?? [];
  const origin = policy.origin ?? policy.logVerifier.name;
  const finish = (extraFields: Partial<ProofFileResult> = {}): ProofFileResult => {
    const list = ORDER.map((c) => checks.get(c) ?? { check: c, ok: false, detail: 'not checked: an earlier check failed' });
    return { ok: list.every((c) => c.ok), checks: list, witnesses, ...extraFields };
  };

  let file: ProofFile;
  let note: ParsedNote;
  try {
    file = typeof proof === 'string' || proof instanceof Uint8Array ? parseProofFile(proof) : proof;
    note = parseNote(file.checkpoint);
    set('parse', true, 'proof file is well-formed');
  } catch (e) {
    set('parse', false, e instanceof Error ? e.message : 'proof file could not be parsed');
    return finish();
  }

  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(note.text);
    set('checkpoint', true, `checkpoint for ${JSON.stringify(checkpoint.origin)} at size ${checkpoint.size}`);
  } catch (e) {
    set('checkpoint', false, e instanceof Error ? e.message : 'checkpoint could not be parsed');
    return finish({ index: file.index, extra: file.extra });
  }
  set(
    'origin',
    checkpoint.origin === origin,
    checkpoint.origin === origin ? `origin is ${JSON.stringify(origin)}` : `origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}`,
  );

  let checked: ReturnType<typeof checkNoteSignatures>;
  try {
    checked = checkNoteSignatures(note, [policy.logVerifier, ...witnessVerifiers]);
  } catch (e) {
    const detail = `verifier configuration: ${e instanceof Error ? e.message : 'invalid'}`;
    set('log-signature', false, detail);
    set('witnesses', false, detail);
    return finish({ index: file.index, checkpoint, extra: file.extra });
  }
  const logSigs = checked.filter((c) => c.verifier === policy.logVerifier);
  if (logSigs.length === 0) set('log-signature', false, `no signature by the log key ${policy.logVerifier.name}`);
  else if (logSigs.some((c) => c.status !== 'verified')) set('log-signature', false, 'the log signature does not verify');
  else set('log-signature', true, `signed by ${policy.logVerifier.name}`);

  const inclusion = inclusionProofError(file.index, checkpoint.size, leafHash, file.proof, checkpoint.rootHash);
  set('inclusion', inclusion === null, inclusion ?? `leaf ${file.index} is in the tree of size ${checkpoint.size}`);

  let good = 0;
  for (const w of new Set(witnessVerifiers)) {
    const sigs = checked.filter((c) => c.verifier === w);
    const valid = sigs.find((c) => c.status === 'verified');
    const sig = valid ?? sigs[0];
    const timestamp = sig && hasTimestampOf(w) ? (w.timestampOf(sig.signature) ?? undefined) : undefined;
    let detail: string;
    if (valid) {
      good++;
      detail = 'cosignature verifies';
    } else if (sigs.length > 0) detail = 'cosignature does not verify';
    else detail = 'no cosignature from this witness';
    witnesses.push({ name: w.name, keyId: w.keyId, ok: valid !== undefined, detail, ...(timestamp === undefined ? {} : { timestamp }) });
  }
  set(
    'witnesses',
    good >= minWitnesses,
    `${good} of ${witnessVerifiers.length} pinned witnesses cosigned; ${minWitnesses} required`,
  );
  return finish({ index: file.index, checkpoint, extra: file.extra });
}
