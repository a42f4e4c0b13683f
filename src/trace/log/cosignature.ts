import { parseCheckpoint } from './checkpoint.ts';
import { ED25519_SIGNATURE_SIZE, ed25519FromSeed, ed25519PublicKey, ed25519Sign, ed25519Verify } from './ed25519.ts';
import { LogFormatError } from './errors.ts';
import { type NoteSigner, type NoteVerifier, parseSignerKey, parseVerifierKey, SIG_TYPE_COSIGNATURE_V1 } from './note-keys.ts';
import { utf8 } from './text.ts';

/** Bytes of a cosignature/v1 `timestamped_signature`: u64 timestamp ‖ Ed25519 signature. */
export const COSIGNATURE_V1_SIZE = 8 + ED25519_SIGNATURE_SIZE;

const MAX_U63 = 2n ** 63n - 1n;

/**
 * C2SP tlog-cosignature §Ed25519 signed message: the line `cosignature/v1`, the line
 * `time <timestamp>` (ASCII decimal, no leading zeros), then the whole checkpoint note body
 * (all its lines, extension lines included, with the final newline; no signature lines).
 */
export function cosignatureV1Message(checkpointText: Uint8Array | string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new LogFormatError('BAD_ARGUMENT', 'timestamp must be a non-negative safe integer');
  const body = typeof checkpointText === 'string' ? utf8(checkpointText) : checkpointText;
  const header = utf8(`cosignature/v1\ntime ${timestamp}\n`);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Splits a cosignature/v1 signature (the note signature after its 4-byte key ID) into its
 * big-endian u64 POSIX timestamp and 64-byte Ed25519 signature (tlog-cosignature §Format,
 * `timestamped_signature`). Timestamps must not exceed 2^63 − 1 (spec) and, here, 2^53 − 1
 * (to stay exact in a JS number; that is ~285 million years).
 */
export function parseCosignatureV1(signature: Uint8Array): { timestamp: number; signature: Uint8Array } {
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_V1_SIZE) {
    throw new LogFormatError('MALFORMED_COSIGNATURE', `cosignature must be ${COSIGNATURE_V1_SIZE} bytes`);
  }
  const ts = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  if (ts > MAX_U63) throw new LogFormatError('MALFORMED_COSIGNATURE', 'cosignature timestamp exceeds 2^63 - 1');
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) throw new LogFormatError('MALFORMED_COSIGNATURE', 'cosignature timestamp is implausibly large');
  return { timestamp: Number(ts), signature: signature.subarray(8) };
}

/** A witness (cosigner) able to sign checkpoints with timestamped Ed25519 cosignatures. */
export interface CosignatureSigner extends NoteSigner {
  readonly publicKey: Uint8Array;
}

/** A verifier for one pinned witness key; also decodes the timestamp of a cosignature. */
export interface CosignatureVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
  /** The cosignature's timestamp, or null when the bytes are malformed. */
  timestampOf(signature: Uint8Array): number | null;
}

/**
 * A cosignature/v1 signer from a signer key `PRIVATE+KEY+name+keyid+base64(0x04 ‖ seed)`.
 *
 * Why check the text: a cosignature is a statement about a checkpoint, so the signer refuses to
 * sign anything that does not parse as one. `now` (POSIX seconds) is injectable for tests.
 */
export function cosignatureSigner(skey: string, opts: { readonly now?: () => number } = {}): CosignatureSigner {
  const k = parseSignerKey(skey);
  if (k.type !== SIG_TYPE_COSIGNATURE_V1) throw new LogFormatError('BAD_KEY', 'signer key is not a cosignature/v1 (0x04) key');
  const { privateKeyObject } = ed25519FromSeed(k.seed);
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: k.name,
    keyId: k.keyId,
    publicKey: k.publicKey,
    sign(text: Uint8Array): Uint8Array {
      parseCheckpoint(new TextDecoder('utf-8', { fatal: true }).decode(text));
      const timestamp = now();
      const sig = ed25519Sign(privateKeyObject, cosignatureV1Message(text, timestamp));
      const out = new Uint8Array(COSIGNATURE_V1_SIZE);
      new DataView(out.buffer).setBigUint64(0, BigInt(timestamp));
      out.set(sig, 8);
      return out;
    },
  };
}

/**
 * A cosignature/v1 verifier from a witness verifier key `name+keyid+base64(0x04 ‖ pubkey)`; the key
 * ID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pubkey)[:4] (tlog-cosignature §Format). Optionally rejects
 * cosignatures dated more than `maxFutureSeconds` after `now()` (the spec's MAY).
 */
export function cosignatureVerifier(
  vkey: string,
  opts: { readonly now?: () => number; readonly maxFutureSeconds?: number } = {},
): CosignatureVerifier {
  const k = parseVerifierKey(vkey);
  if (k.type !== SIG_TYPE_COSIGNATURE_V1) throw new LogFormatError('BAD_KEY', 'verifier key is not a cosignature/v1 (0x04) key');
  const pub = ed25519PublicKey(k.publicKey);
  const timestampOf = (signature: Uint8Array): number | null => {
    try {
      return parseCosignatureV1(signature).timestamp;
    } catch {
      return null;
    }
  };
  return {
    name: k.name,
    keyId: k.keyId,
    publicKey: k.publicKey,
    timestampOf,
    verify(text: Uint8Array, signature: Uint8Array): boolean {
      let parsed: { timestamp: number; signature: Uint8Array };
      try {
        parsed = parseCosignatureV1(signature);
      } catch {
        return false;
      }
      if (opts.maxFutureSeconds !== undefined) {
        const now = (opts.now ?? (() => Math.floor(Date.now() / 1000)))();
        if (parsed.timestamp > now + opts.maxFutureSeconds) return false;
      }
      return ed25519Verify(pub, cosignatureV1Message(text, parsed.timestamp), parsed.signature);
    },
  };
}
