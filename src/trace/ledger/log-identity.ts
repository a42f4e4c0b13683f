import type { Database } from '../../storage/database.ts';
import { type CosignatureVerifier, cosignatureVerifier } from '../log/cosignature.ts';
import {
  encodeVerifierKey,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  generateNoteKeys,
  type NoteSigner,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_ED25519,
} from '../log/note-keys.ts';
import { ensureSetting } from '../settings.ts';
import type { TraceConfig } from '../trace.config.ts';

/** The log's signing identity (C2SP signed-note key whose name is the checkpoint origin). */
export interface LogIdentity {
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly verifier: NoteVerifier;
  /** Verifier key `origin+keyid+base64(0x01 ‖ pubkey)`: what verifiers pin. */
  readonly vkey: string;
}

/** A trusted witness: its name and pinned cosignature/v1 key. */
export interface TrustedWitness {
  readonly name: string;
  readonly vkey: string;
  readonly verifier: CosignatureVerifier;
}

/** What a verifier must pin (docs/api/trace.md §6). */
export interface TrustConfig {
  readonly origin: string;
  readonly logKey: string;
  readonly witnesses: readonly { name: string; key: string }[];
  readonly quorum: number;
}

/** Default origin: `<host of CANTHO_PUBLIC_URL>/trace/log`, or a placeholder name for local runs. */
export function defaultOrigin(publicUrl: string | null): string {
  if (publicUrl) {
    try {
      return `${new URL(publicUrl).host}/trace/log`;
    } catch {
      /* fall through */
    }
  }
  return 'cantho.localhost/trace/log';
}

/**
 * The log key from configuration, or the one generated on first start and kept in `settings`
 * (`trace.log.skey`). The private key never appears in logs or API answers.
 */
export async function loadLogIdentity(db: Database, cfg: TraceConfig, publicUrl: string | null): Promise<LogIdentity> {
  const skey = cfg.logKey ?? (await ensureSetting(db, 'trace.log.skey', () => generateNoteKeys(cfg.logOrigin ?? defaultOrigin(publicUrl), SIG_TYPE_ED25519).signerKey));
  const k = parseSignerKey(skey);
  const vkey = encodeVerifierKey(k.name, SIG_TYPE_ED25519, k.publicKey);
  return { origin: k.name, signer: ed25519NoteSigner(skey), verifier: ed25519NoteVerifier(vkey), vkey };
}

/** Parses pinned witness keys; cosignatures dated more than 10 minutes ahead are not accepted. */
export function trustedWitness(vkey: string): TrustedWitness {
  return { name: parseVerifierKey(vkey).name, vkey, verifier: cosignatureVerifier(vkey, { maxFutureSeconds: 600 }) };
}
