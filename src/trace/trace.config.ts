import { availableParallelism } from 'node:os';
import { LogFormatError } from './log/errors.ts';
import { parseSignerKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from './log/note-keys.ts';

/**
 * Configuration of the traceability module, parsed with the rest of the platform's configuration
 * (src/config/config.ts calls {@link parseTraceConfig}); nothing here reads process.env.
 */
export interface TraceConfig {
  /**
   * The log's C2SP signer key `PRIVATE+KEY+<origin>+<keyid>+<base64>` (Ed25519, type 0x01); its
   * name is the checkpoint origin. null: generated once and kept in the database's settings.
   */
  readonly logKey: string | null;
  /** Origin (and key name) used when the log key is generated; null → derived from CANTHO_PUBLIC_URL. */
  readonly logOrigin: string | null;
  /** Trusted witnesses' cosignature/v1 verifier keys (`name+keyid+base64(0x04 ‖ pubkey)`). */
  readonly witnessKeys: readonly string[];
  /** Cosignatures from distinct trusted witnesses needed before a checkpoint counts as witnessed. */
  readonly witnessQuorum: number;
  /**
   * Key-encryption key (base64 of 32 bytes) sealing custodial organisation keys with AES-256-GCM.
   * null → a random one is generated and kept in settings (demo only: the database then holds both).
   */
  readonly kek: string | null;
  /** How often the checkpoint publisher looks for new entries, in ms (C2SP: at least once a second). */
  readonly checkpointMs: number;
  /** Worker threads that validate and hash captures (0 = on the main thread); default CPUs − 2 (from 4 CPUs), at most 4. */
  readonly workers: number;
}

type Source = Record<string, string | undefined>;

/** Reads the CANTHO_TRACE_* variables; problems are appended to the shared list. */
export function parseTraceConfig(src: Source, problems: string[]): TraceConfig {
  let logKey: string | null = null;
  if (src.CANTHO_TRACE_LOG_KEY) {
    try {
      if (parseSignerKey(src.CANTHO_TRACE_LOG_KEY).type !== SIG_TYPE_ED25519) throw new LogFormatError('BAD_KEY', 'not an Ed25519 (0x01) key');
      logKey = src.CANTHO_TRACE_LOG_KEY;
    } catch (e) {
      // Never echo the value: it is a private key.
      problems.push(`CANTHO_TRACE_LOG_KEY is not a valid signer key (${(e as Error).message})`);
    }
  }
  const origin = src.CANTHO_TRACE_LOG_ORIGIN?.trim() || null;
  if (origin !== null && !/^[A-Za-z0-9.\-_/:]{1,200}$/.test(origin)) problems.push(`CANTHO_TRACE_LOG_ORIGIN="${origin}" must be a short name like example.org/trace/log`);
  const witnessKeys: string[] = [];
  for (const k of (src.CANTHO_TRACE_WITNESS_KEYS ?? '').split(/[\s,]+/).filter(Boolean)) {
    try {
      if (parseVerifierKey(k).type !== SIG_TYPE_COSIGNATURE_V1) throw new LogFormatError('BAD_KEY', 'not a cosignature/v1 (0x04) key');
      witnessKeys.push(k);
    } catch (e) {
      problems.push(`CANTHO_TRACE_WITNESS_KEYS entry "${k.slice(0, 40)}" is not a witness verifier key (${(e as Error).message})`);
    }
  }
  const q = src.CANTHO_TRACE_WITNESS_QUORUM;
  let witnessQuorum = witnessKeys.length > 0 ? 1 : 0;
  if (q !== undefined && q !== '') {
    if (!/^\d+$/.test(q) || Number(q) > 64) problems.push(`CANTHO_TRACE_WITNESS_QUORUM="${q}" must be an integer from 0 to 64`);
    else witnessQuorum = Number(q);
  }
  let kek: string | null = null;
  if (src.CANTHO_TRACE_KEK) {
    if (Buffer.from(src.CANTHO_TRACE_KEK, 'base64').length !== 32) problems.push('CANTHO_TRACE_KEK must be the base64 of 32 random bytes');
    else kek = src.CANTHO_TRACE_KEK;
  }
  let checkpointMs = 500;
  const c = src.CANTHO_TRACE_CHECKPOINT_MS;
  if (c !== undefined && c !== '') {
    if (!/^\d+$/.test(c) || Number(c) < 10 || Number(c) > 1000) problems.push(`CANTHO_TRACE_CHECKPOINT_MS="${c}" must be an integer from 10 to 1000`);
    else checkpointMs = Number(c);
  }
  // Off on small machines: a worker only pays for its message passing when a core is free for it
  // (measured on 2 vCPUs: ~15 µs more CPU per event, no throughput gain).
  const cpus = availableParallelism();
  let workers = cpus >= 4 ? Math.min(4, cpus - 2) : 0;
  const w = src.CANTHO_TRACE_WORKERS;
  if (w !== undefined && w !== '') {
    if (!/^\d+$/.test(w) || Number(w) > 64) problems.push(`CANTHO_TRACE_WORKERS="${w}" must be an integer from 0 to 64`);
    else workers = Number(w);
  }
  return { logKey, logOrigin: origin, witnessKeys, witnessQuorum, kek, checkpointMs, workers };
}
