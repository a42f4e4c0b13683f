import { AppError } from '../../core/errors.ts';
import { encodeBase64 } from '../log/base64.ts';
import { consistencyProof, HASH_SIZE, inclusionProof } from '../log/merkle.ts';
import { formatProofFile } from '../log/proof-file.ts';
import { encodeEntryBundle, parseTilePath, readTile, TILE_WIDTH } from '../log/tiles.ts';
import type { CheckpointService, ServedCheckpoint } from './checkpoint.service.ts';
import { formatLeaf } from './leaf.ts';
import type { LeafRow } from './leaf-row.ts';
import type { LedgerStore } from './ledger-store.ts';
import { sha256Tagged } from '../signing/capture-signature.ts';

/** The leaf text of a stored row (docs/api/trace.md §4.1). */
export function leafTextOf(r: LeafRow): string {
  return formatLeaf({
    eventId: r.eventId,
    eventHash: r.eventHash,
    eventJson: sha256Tagged(r.eventJson),
    recordTime: new Date(r.recordTime).toISOString(),
    org: r.orgCode,
    keyId: r.keyId,
    captureId: r.captureId,
    captureDigest: r.captureDigest,
    captureIndex: r.captureIndex,
    signature: r.signature,
  });
}

/** A tile or bundle answer: the bytes and whether they can never change. */
export interface TileAnswer {
  readonly bytes: Uint8Array;
  readonly immutable: boolean;
}

const enc = new TextEncoder();

/**
 * Read side of the log: RFC 9162 inclusion and consistency proofs, C2SP tlog-tiles (hash tiles
 * and entry bundles) and C2SP tlog-proof files. Everything is bounded by the latest published
 * checkpoint, so a client never sees a tree state that no checkpoint commits to.
 */
export class ProofService {
  constructor(
    private readonly store: LedgerStore,
    private readonly checkpoints: CheckpointService,
  ) {}

  private published = 0;

  /**
   * The latest published size, re-read only when a request asks for more than the last size seen
   * (checkpoints only grow), so a proof for a published size costs one batched hash read.
   */
  private async publishedSize(atLeast = Number.POSITIVE_INFINITY): Promise<number> {
    if (atLeast <= this.published) return this.published;
    this.published = Math.max(this.published, (await this.store.latestCheckpoint())?.size ?? 0);
    return this.published;
  }

  async inclusion(index: number, size: number): Promise<string[]> {
    if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new AppError('BAD_REQUEST', 'need 0 ≤ index < size');
    if (size > (await this.publishedSize(size))) throw new AppError('NOT_FOUND', `no checkpoint covers size ${size} yet`);
    return (await inclusionProof(index, size, this.store)).map(encodeBase64);
  }

  async consistency(from: number, to: number): Promise<string[]> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || from > to) throw new AppError('BAD_REQUEST', 'need 0 < from ≤ to');
    if (to > (await this.publishedSize(to))) throw new AppError('NOT_FOUND', `no checkpoint covers size ${to} yet`);
    return (await consistencyProof(from, to, this.store)).map(encodeBase64);
  }

  /**
   * A C2SP tlog-tiles resource (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`). A tile is
   * served when every hash in it is covered by the latest checkpoint; full tiles are immutable.
   */
  async tile(path: string): Promise<TileAnswer> {
    let t: ReturnType<typeof parseTilePath>;
    try {
      t = parseTilePath(path);
    } catch (e) {
      throw new AppError('INVALID_PATH', (e as Error).message);
    }
    const size = await this.publishedSize();
    if (t.kind === 'entries') {
      const end = t.index * TILE_WIDTH + t.width;
      if (end > size) throw new AppError('NOT_FOUND', 'no such entry bundle yet');
      const rows = await this.store.leaves(t.index * TILE_WIDTH, end);
      return { bytes: encodeEntryBundle(rows.map((r) => enc.encode(leafTextOf(r)))), immutable: t.width === TILE_WIDTH };
    }
    if ((t.index * TILE_WIDTH + t.width) * TILE_WIDTH ** t.level > size) throw new AppError('NOT_FOUND', 'no such tile yet');
    const bytes = await readTile(t, this.store);
    if (bytes.length !== t.width * HASH_SIZE) throw new AppError('INTERNAL');
    return { bytes, immutable: t.width === TILE_WIDTH };
  }

  /**
   * The checkpoint a proof for leaf `index` should use: the latest witnessed one when it covers the
   * leaf, else the latest published one; null when no checkpoint covers it yet.
   */
  async checkpointFor(index: number): Promise<ServedCheckpoint | null> {
    const w = await this.checkpoints.witnessed();
    if (w && w.size > index) return w;
    const l = await this.checkpoints.latest();
    return l && l.size > index ? l : null;
  }

  /** C2SP tlog-proof for a stored leaf, with the leaf bytes as `extra`. */
  async proofFile(row: LeafRow): Promise<string> {
    const cp = await this.checkpointFor(row.leafIndex);
    if (!cp) throw new AppError('UNAVAILABLE', 'the event is not in a published checkpoint yet; retry in a second');
    const proof = await inclusionProof(row.leafIndex, cp.size, this.store);
    return formatProofFile({ index: row.leafIndex, proof, checkpoint: cp.note, extra: enc.encode(leafTextOf(row)) });
  }
}
