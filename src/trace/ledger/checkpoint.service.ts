import type { Logger } from 'pino';
import { AppError } from '../../core/errors.ts';
import { formatCheckpoint, parseCheckpoint } from '../log/checkpoint.ts';
import { encodeBase64 } from '../log/base64.ts';
import { bytesEqual, consistencyProof, treeHash, verifyConsistency } from '../log/merkle.ts';
import { checkNoteSignatures, parseNote, signNote } from '../log/note.ts';
import type { LedgerStore } from './ledger-store.ts';
import { type LogIdentity, type TrustConfig, type TrustedWitness, trustedWitness } from './log-identity.ts';

/** A checkpoint as served: its size and the signed note with every stored cosignature. */
export interface ServedCheckpoint {
  readonly size: number;
  readonly note: string;
}

/**
 * Checkpoints (C2SP tlog-checkpoint) and witness cosignatures (C2SP tlog-cosignature).
 *
 * The publisher signs a new checkpoint whenever the log has grown, checking first that the new
 * tree is consistent with the last published one (RFC 9162 §2.1.4): a log must never sign a fork,
 * even when its own database was altered. Cosignatures are accepted only from pinned witnesses,
 * only over a checkpoint this log signed, and are served appended to that checkpoint's note.
 */
export class CheckpointService {
  private timer: NodeJS.Timeout | undefined;
  private publishing: Promise<number | null> | null = null;
  private stopped = false;

  constructor(
    private readonly store: LedgerStore,
    readonly identity: LogIdentity,
    private witnesses: TrustedWitness[],
    private quorum: number,
    private readonly logger: Logger,
  ) {}

  /** What verifiers must pin (the page embeds it at render time). */
  trust(): TrustConfig {
    return { origin: this.identity.origin, logKey: this.identity.vkey, witnesses: this.witnesses.map((w) => ({ name: w.name, key: w.vkey })), quorum: this.quorum };
  }

  /** The pinned witnesses whose cosignatures are accepted and served. */
  trustedWitnesses(): readonly TrustedWitness[] {
    return this.witnesses;
  }

  /** Adds a trusted witness at run time (the demo's Sở KH&CN witness); quorum becomes at least 1. */
  trustWitness(vkey: string): void {
    const w = trustedWitness(vkey);
    if (this.witnesses.some((x) => x.name === w.name)) return;
    this.witnesses = [...this.witnesses, w];
    this.quorum = Math.max(this.quorum, 1);
  }

  /** Starts the background publisher (every `ms`, at most; C2SP logs publish at least once a second). */
  start(ms: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.publish()
        .catch((err) => this.logger.error({ err }, 'checkpoint publication failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, ms);
        });
    };
    this.timer = setTimeout(tick, ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.publishing?.catch(() => undefined);
  }

  /** Signs and stores a checkpoint for the current size if the log grew; returns the new size or null. */
  publish(): Promise<number | null> {
    this.publishing ??= this.publishNow().finally(() => {
      this.publishing = null;
    });
    return this.publishing;
  }

  private async publishNow(): Promise<number | null> {
    const size = await this.store.size();
    const last = await this.store.latestCheckpoint();
    if (size === 0 || (last && last.size >= size)) return null;
    const root = await treeHash(size, this.store);
    if (last && last.size > 0) {
      const proof = await consistencyProof(last.size, size, this.store);
      if (!verifyConsistency(last.size, size, proof, last.root, root)) {
        this.logger.error({ from: last.size, to: size }, 'log is not consistent with its last checkpoint: refusing to sign (run `cantho trace audit`)');
        return null;
      }
    }
    const note = signNote(formatCheckpoint({ origin: this.identity.origin, size, rootHash: root }), [this.identity.signer]);
    await this.store.insertCheckpoint({ size, root, note, createdAt: Date.now() });
    return size;
  }

  /** The stored checkpoint of `size` with its cosignatures, or null. */
  async note(size: number): Promise<ServedCheckpoint | null> {
    const cp = await this.store.checkpoint(size);
    if (!cp) return null;
    const cos = await this.store.cosignatures(size);
    const trusted = new Set(this.witnesses.map((w) => w.name));
    return { size, note: cp.note + cos.filter((c) => trusted.has(c.witness)).map((c) => `${c.line}\n`).join('') };
  }

  async latest(): Promise<ServedCheckpoint | null> {
    const cp = await this.store.latestCheckpoint();
    return cp ? this.note(cp.size) : null;
  }

  /** The latest checkpoint cosigned by the quorum of trusted witnesses, or null. */
  async witnessed(): Promise<ServedCheckpoint | null> {
    if (this.quorum < 1) return this.latest();
    const size = await this.store.latestWitnessedSize(
      this.witnesses.map((w) => w.name),
      this.quorum,
    );
    return size === null ? null : this.note(size);
  }

  /** True when `note` (as served) carries the quorum of trusted cosignatures. */
  isWitnessed(note: string): boolean {
    if (this.quorum < 1) return true;
    const checked = checkNoteSignatures(parseNote(note), this.witnesses.map((w) => w.verifier));
    return new Set(checked.filter((c) => c.status === 'verified').map((c) => c.name)).size >= this.quorum;
  }

  /**
   * Accepts a cosigned checkpoint from a witness: the note text must be exactly a checkpoint this
   * log published, and every signature line by a pinned witness must verify (cosignature/v1).
   */
  async addCosignatures(body: string): Promise<{ size: number; accepted: string[] }> {
    let parsed: ReturnType<typeof parseNote>;
    let size: number;
    try {
      parsed = parseNote(body);
      const cp = parseCheckpoint(parsed.text);
      if (cp.origin !== this.identity.origin) throw new Error(`origin ${cp.origin} is not this log's`);
      size = cp.size;
    } catch (e) {
      throw new AppError('COSIGNATURE_INVALID', `not a checkpoint of this log: ${(e as Error).message}`);
    }
    const stored = await this.store.checkpoint(size);
    if (!stored || parseNote(stored.note).text !== parsed.text || !bytesEqual(parseCheckpoint(parsed.text).rootHash, stored.root)) {
      throw new AppError('COSIGNATURE_INVALID', `this log never published a checkpoint of size ${size} with that root`);
    }
    const checked = checkNoteSignatures(parsed, this.witnesses.map((w) => w.verifier));
    const bad = checked.find((c) => c.status === 'invalid');
    if (bad) throw new AppError('COSIGNATURE_INVALID', `the cosignature of ${bad.name} does not verify`);
    const good = checked.filter((c) => c.status === 'verified');
    if (good.length === 0) throw new AppError('COSIGNATURE_INVALID', 'no cosignature from a trusted witness');
    for (const c of good) {
      const raw = new Uint8Array(4 + c.signature.length);
      new DataView(raw.buffer).setUint32(0, c.keyId >>> 0);
      raw.set(c.signature, 4);
      await this.store.insertCosignature({ size, witness: c.name, line: `\u2014 ${c.name} ${encodeBase64(raw)}` }, Date.now());
    }
    return { size, accepted: good.map((c) => c.name) };
  }
}
