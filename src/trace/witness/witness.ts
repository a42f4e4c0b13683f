import { openCheckpoint } from '../log/checkpoint.ts';
import type { CosignatureSigner } from '../log/cosignature.ts';
import { decodeBase64Strict, encodeBase64 } from '../log/base64.ts';
import { bytesEqual, consistencyProofError } from '../log/merkle.ts';
import { formatNote, signNoteText } from '../log/note.ts';
import type { NoteVerifier } from '../log/note-keys.ts';

/** What a witness remembers about a log: the last checkpoint it verified and cosigned. */
export interface WitnessState {
  readonly origin: string;
  readonly size: number;
  /** Standard base64 root hash. */
  readonly root: string;
}

/** How a witness talks to a log (HTTP in the CLI, in-process for the demo and tests). */
export interface LogClient {
  /** The latest checkpoint note (C2SP tlog-tiles `checkpoint`). */
  checkpoint(): Promise<string>;
  /** RFC 9162 consistency proof, base64 hashes. */
  consistency(from: number, to: number): Promise<string[]>;
  /** Hands the cosigned note to the log (`POST …/cosignatures`). */
  submit(cosignedNote: string): Promise<void>;
}

/** Persistence of {@link WitnessState} (a file for the CLI). */
export interface StateStore {
  load(): Promise<WitnessState | null>;
  save(s: WitnessState): Promise<void>;
}

/** The outcome of one witnessing round. */
export type WitnessResult =
  | { readonly status: 'cosigned'; readonly size: number }
  | { readonly status: 'fork'; readonly size: number; readonly detail: string };

/**
 * One round of a witness (C2SP tlog-witness semantics, pull variant): fetch the log's latest
 * checkpoint, check the log's signature and origin, check that it extends the last checkpoint this
 * witness cosigned (RFC 9162 §2.1.4 consistency proof; never smaller, equal size ⇒ equal root),
 * then cosign it (cosignature/v1) and hand the cosignature to the log. A log that forked, rolled
 * back or rewrote history gets no cosignature, and the state keeps the last good checkpoint, so the
 * alarm repeats until a human looks.
 */
export async function witnessOnce(opts: { log: LogClient; logVerifier: NoteVerifier; origin?: string; signer: CosignatureSigner; state: StateStore }): Promise<WitnessResult> {
  const note = await opts.log.checkpoint();
  const { checkpoint: cp, note: opened } = openCheckpoint(note, { verifiers: [opts.logVerifier], origin: opts.origin });
  const last = await opts.state.load();
  if (last) {
    if (last.origin !== cp.origin) return { status: 'fork', size: cp.size, detail: `origin changed from ${last.origin} to ${cp.origin}` };
    const lastRoot = decodeBase64Strict(last.root, 'MALFORMED_CHECKPOINT', 'stored root');
    if (cp.size < last.size) return { status: 'fork', size: cp.size, detail: `the log shrank from ${last.size} to ${cp.size} leaves` };
    if (cp.size === last.size && !bytesEqual(lastRoot, cp.rootHash)) return { status: 'fork', size: cp.size, detail: `two different roots for size ${cp.size}` };
    if (cp.size > last.size && last.size > 0) {
      const proof = (await opts.log.consistency(last.size, cp.size)).map((h) => decodeBase64Strict(h, 'MALFORMED_PROOF', 'proof hash'));
      const err = consistencyProofError(last.size, cp.size, proof, lastRoot, cp.rootHash);
      if (err) return { status: 'fork', size: cp.size, detail: `checkpoint ${cp.size} is not consistent with ${last.size}: ${err}` };
    }
  }
  const cosigned = formatNote(opened.text, [signNoteText(opened.text, opts.signer)]);
  await opts.log.submit(cosigned);
  await opts.state.save({ origin: cp.origin, size: cp.size, root: encodeBase64(cp.rootHash) });
  return { status: 'cosigned', size: cp.size };
}

/** A {@link LogClient} over HTTP for a log prefix like `https://host/trace/log`. */
export function httpLogClient(base: string, fetchImpl: typeof fetch = fetch): LogClient {
  const url = base.replace(/\/+$/, '');
  const get = async (path: string): Promise<Response> => {
    const r = await fetchImpl(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`GET ${url}${path}: HTTP ${r.status}`);
    return r;
  };
  return {
    checkpoint: async () => (await get('/checkpoint')).text(),
    consistency: async (from, to) => ((await (await get(`/proof/consistency?from=${from}&to=${to}`)).json()) as { hashes: string[] }).hashes,
    async submit(cosignedNote) {
      const r = await fetchImpl(`${url}/cosignatures`, { method: 'POST', body: cosignedNote, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(10_000) });
      if (!r.ok) throw new Error(`POST ${url}/cosignatures: HTTP ${r.status} ${await r.text()}`);
    },
  };
}
