import type { Database } from '../../storage/database.ts';
import type { HashReader } from '../log/merkle.ts';
import type { AppendItem, ItemResult } from './append-plan.ts';
import { PostgresLedgerStore } from './postgres-store.ts';
import type { LeafRow } from './leaf-row.ts';
import type { CheckpointRow, CosignatureRow } from './rows.ts';
import { SqliteLedgerStore } from './sqlite-store.ts';

/**
 * Storage of the verifiable log, one implementation per dialect (sqlite-store.ts,
 * postgres-store.ts) behind this interface: the append transaction (where SQL per row would
 * dominate, each dialect uses its own bulk statements), stored hashes, leaves and checkpoints.
 */
export interface LedgerStore extends HashReader {
  /**
   * Appends captures in one transaction holding the log lock (the SQLite write lock, or a row
   * lock on PostgreSQL so that several nodes append in turn); returns one result per item.
   */
  append(items: readonly AppendItem[], now: number): Promise<ItemResult[]>;
  /** Number of leaves committed. */
  size(): Promise<number>;
  readHashes(indexes: readonly number[]): Promise<Uint8Array[]>;
  /** Leaves [from, to) in order, with their capture fields. */
  leaves(from: number, to: number): Promise<LeafRow[]>;
  latestCheckpoint(): Promise<CheckpointRow | null>;
  checkpoint(size: number): Promise<CheckpointRow | null>;
  /** Stores a checkpoint unless one of that size exists (several nodes may publish the same one). */
  insertCheckpoint(row: CheckpointRow): Promise<void>;
  cosignatures(size: number): Promise<CosignatureRow[]>;
  /** Stores a cosignature (the first per witness and size is kept). */
  insertCosignature(row: CosignatureRow, createdAt: number): Promise<void>;
  /** Largest checkpoint size cosigned by at least `quorum` of the named witnesses, or null. */
  latestWitnessedSize(witnesses: readonly string[], quorum: number): Promise<number | null>;
}

/** The store for the database's dialect. */
export function createLedgerStore(db: Database): LedgerStore {
  return db.dialect === 'sqlite' ? new SqliteLedgerStore(db) : new PostgresLedgerStore(db);
}

