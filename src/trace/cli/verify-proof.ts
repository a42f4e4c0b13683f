import { cosignatureVerifier } from '../log/cosignature.ts';
import { leafHash } from '../log/merkle.ts';
import { ed25519NoteVerifier } from '../log/note-keys.ts';
import { parseProofFile, verifyProofFile } from '../log/proof-file.ts';
import { parseLeaf } from '../ledger/leaf.ts';
import { sha256Tagged } from '../signing/capture-signature.ts';

/** Trust given on the command line: the log key, pinned witness keys and the quorum. */
export interface VerifyPolicy {
  readonly logKey: string;
  readonly witnessKeys: readonly string[];
  readonly quorum: number;
  /** The event JSON text the proof is about (optional): its SHA-256 must be in the leaf. */
  readonly eventJson?: string;
}

/** The verdict with one line per check, for people. */
export interface VerifyResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/**
 * `cantho trace verify`: checks a C2SP tlog-proof offline. The leaf is taken from the proof's
 * `extra` (the leaf bytes, docs/api/trace.md §4.1) and its RFC 9162 leaf hash is proven into the
 * checkpoint; the checkpoint must carry the pinned log key's signature and cosignatures from at
 * least `quorum` pinned witnesses. With `eventJson`, the event itself is bound to the leaf.
 */
export function verifyProofText(text: string, policy: VerifyPolicy): VerifyResult {
  const lines: string[] = [];
  let leafBytes: Uint8Array | undefined;
  try {
    leafBytes = parseProofFile(text).extra;
  } catch {
    /* reported by verifyProofFile below */
  }
  const leafText = leafBytes ? new TextDecoder().decode(leafBytes) : '';
  const leaf = parseLeaf(leafText);
  const result = verifyProofFile(text, leafHash(leafBytes ?? new Uint8Array()), {
    logVerifier: ed25519NoteVerifier(policy.logKey),
    witnessVerifiers: policy.witnessKeys.map((k) => cosignatureVerifier(k)),
    minWitnesses: policy.quorum,
  });
  let ok = result.ok;
  if (!leaf) {
    ok = false;
    lines.push('FAIL leaf: the proof has no cantho-trace-leaf/v1 entry in its extra data');
  } else {
    lines.push(`ok   leaf: event ${leaf.eventId} (${leaf.eventHash}), org ${leaf.org}, key ${leaf.keyId}, recorded ${leaf.recordTime}`);
  }
  for (const c of result.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
  for (const w of result.witnesses) lines.push(`${w.ok ? 'ok  ' : 'FAIL'} witness ${w.name}: ${w.detail}${w.timestamp ? ` at ${new Date(w.timestamp * 1000).toISOString()}` : ''}`);
  if (policy.eventJson !== undefined && leaf) {
    const match = sha256Tagged(policy.eventJson) === leaf.eventJson;
    if (!match) ok = false;
    lines.push(`${match ? 'ok  ' : 'FAIL'} event: ${match ? 'the given event JSON is the one in the leaf' : 'the given event JSON does not match the leaf (event-json digest differs)'}`);
  }
  lines.push(ok ? 'VERIFIED' : 'NOT VERIFIED');
  return { ok, lines };
}
