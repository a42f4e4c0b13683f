import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../storage/database.ts';
import { type AppendItem, type AppendPlan, type ItemResult, planAppend } from './append-plan.ts';
import { Frontier } from './frontier.ts';
import { LEAF_COLUMNS, LEAF_FROM, type LeafRow, mapLeafRow } from './leaf-row.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { CheckpointRow, CosignatureRow } from './rows.ts';

type Stmt = BetterSqlite3.Statement;

const NONE: ReadonlySet<string> = new Set();

/** Pauses (ms) before retrying an append that met SQLITE_BUSY. */
const BUSY_RETRIES = [5, 25, 100];

/** Rows per multi-row INSERT of the narrow side tables (EPCs, stored hashes). */
const BULK_ROWS = 64;

/** `(?, ?), (?, ?), …`: the VALUES list of `n` rows of `width` parameters. */
function rows(n: number, width: number): string {
  const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: n }, () => one).join(', ');
}

/**
 * The log on SQLite: synchronous better-sqlite3 statements inside one transaction that holds the
 * platform's write lock, so an append is atomic and nothing else interleaves with it.
 */
export class SqliteLedgerStore implements LedgerStore {
  private readonly raw: BetterSqlite3.Database;
  private readonly s: Record<string, Stmt>;
  private readonly inStmts = new Map<string, Stmt>();

  constructor(private readonly db: Database) {
    this.raw = db.sqlite!;
    const p = (q: string) => this.raw.prepare(q);
    this.s = {
      state: p('SELECT size, last_record_time FROM trace_log_state WHERE id = 1'),
      setState: p('UPDATE trace_log_state SET size = ?, last_record_time = ? WHERE id = 1'),
      insCapture: p(`INSERT INTO trace_captures (id, org_id, key_id, digest, signature, body, error_behaviour, success, errors, event_count,
        first_leaf, created_at, finished_at, api_key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insEvent: p(`INSERT INTO trace_events (leaf_index, event_id, event_hash, event_type, action, event_time, record_time, biz_step,
        disposition, read_point, biz_location, capture_id, capture_index, org_id, event_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insEpc: p('INSERT OR IGNORE INTO trace_event_epcs (epc, role, leaf_index) VALUES (?, ?, ?)'),
      insEpcMany: p(`INSERT OR IGNORE INTO trace_event_epcs (epc, role, leaf_index) VALUES ${rows(BULK_ROWS, 3)}`),
      insHash: p('INSERT INTO trace_log_hashes (idx, hash) VALUES (?, ?)'),
      insHashMany: p(`INSERT INTO trace_log_hashes (idx, hash) VALUES ${rows(BULK_ROWS, 2)}`),
      leaves: p(`SELECT ${LEAF_COLUMNS} FROM ${LEAF_FROM} WHERE e.leaf_index >= ? AND e.leaf_index < ? ORDER BY e.leaf_index`),
      latestCp: p('SELECT size, root, note, created_at FROM trace_checkpoints ORDER BY size DESC LIMIT 1'),
      cp: p('SELECT size, root, note, created_at FROM trace_checkpoints WHERE size = ?'),
      insCp: p('INSERT OR IGNORE INTO trace_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?)'),
      cosigs: p('SELECT size, witness, line FROM trace_cosignatures WHERE size = ? ORDER BY witness'),
      insCosig: p('INSERT OR IGNORE INTO trace_cosignatures (size, witness, line, created_at) VALUES (?, ?, ?, ?)'),
    };
  }

  async append(items: readonly AppendItem[], now: number): Promise<ItemResult[]> {
    // Optimistic first: captures rarely repeat a stored eventID or body, so the rows are written
    // without looking those up; a repeat trips a UNIQUE index, the transaction rolls back, and the
    // batch is appended again knowing what is stored. (A savepoint instead would make SQLite copy
    // every page it touches to a sub-journal.)
    let lookup = false;
    for (let attempt = 0; ; ) {
      try {
        return await this.db.writeLock.run(() => this.raw.transaction(() => this.appendTx(items, now, lookup)).immediate());
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (this.raw.inTransaction) throw e;
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' && !lookup) {
          lookup = true;
          continue;
        }
        // SQLITE_BUSY despite the busy timeout (another process on the same file, e.g. a CLI
        // command, holding the write lock; an early version of the checkpointer caused it too):
        // the transaction was rolled back and the plan is recomputed from the database, so trying
        // again is safe.
        if (code !== 'SQLITE_BUSY' || attempt >= BUSY_RETRIES.length) throw e;
        await new Promise((r) => setTimeout(r, BUSY_RETRIES[attempt++]));
      }
    }
  }

  private appendTx(items: readonly AppendItem[], now: number, lookup: boolean): ItemResult[] {
    const st = this.s.state!.get() as { size: number; last_record_time: number };
    const size = Number(st.size);
    // The border is re-read in every transaction (≤ 52 hashes, one query): the tree always
    // continues from what the database holds, never from a cache that could be stale.
    const frontier = Frontier.fromStored(size, this.readSync(Frontier.indexes(size)));
    const existingIds = lookup ? this.existing('SELECT event_id AS v FROM trace_events WHERE event_id IN', items.flatMap((it) => it.events.map((e) => e.eventId))) : NONE;
    const existingDigests = lookup ? this.existing('SELECT digest AS v FROM trace_captures WHERE digest IN', items.map((it) => it.capture.digest)) : NONE;
    return this.write(planAppend(items, { size, lastRecordTime: Number(st.last_record_time), now, existingIds, existingDigests, frontier }));
  }

  /** Writes the rows and the new state of a plan; returns its results. */
  private write(plan: AppendPlan): ItemResult[] {
    for (const c of plan.captures) {
      this.s.insCapture!.run(c.id, c.orgId, c.keyId, c.digest, c.signature, c.body, c.behaviour, c.success ? 1 : 0, JSON.stringify(c.errors), c.eventCount, c.firstLeaf, c.createdAt, c.finishedAt, c.apiKeyId);
    }
    for (const e of plan.events) {
      this.s.insEvent!.run(e.leafIndex, e.eventId, e.eventHash, e.eventType, e.action, e.eventTime, e.recordTime, e.bizStep, e.disposition, e.readPoint, e.bizLocation, e.captureId, e.captureIndex, e.orgId, e.eventJson);
    }
    const { epc, role, leafIndex } = plan.epcs;
    this.bulk(this.s.insEpc!, this.s.insEpcMany!, epc.length, (args, i) => args.push(epc[i]!, role[i]!, leafIndex[i]!));
    const hashes = plan.hashes;
    const start = plan.hashStart;
    this.bulk(this.s.insHash!, this.s.insHashMany!, hashes.length, (args, i) => args.push(start + i, hashes[i]!));
    this.s.setState!.run(plan.size, plan.lastRecordTime);
    return plan.results;
  }

  /**
   * Runs a narrow INSERT for rows 0…n-1: `many` (BULK_ROWS rows per statement) while whole chunks
   * remain, then `one` per row. Fewer statement executions for the side tables' small rows; the
   * wide trace_events rows stay one per statement, which SQLite inserts faster than multi-row VALUES.
   */
  private bulk(one: Stmt, many: Stmt, n: number, push: (args: unknown[], i: number) => void): void {
    const args: unknown[] = [];
    let i = 0;
    for (; i + BULK_ROWS <= n; i += BULK_ROWS) {
      args.length = 0;
      for (let k = i; k < i + BULK_ROWS; k++) push(args, k);
      many.run(args);
    }
    for (; i < n; i++) {
      args.length = 0;
      push(args, i);
      one.run(args);
    }
  }

  /** The values of `keys` already stored, looked up 500 at a time. */
  private existing(select: string, keys: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const key = `${select}#${chunk.length}`;
      let st = this.inStmts.get(key);
      if (!st) {
        st = this.raw.prepare(`${select} (${chunk.map(() => '?').join(',')})`);
        if (this.inStmts.size < 64) this.inStmts.set(key, st);
      }
      for (const r of st.all(...chunk) as { v: string }[]) out.add(r.v);
    }
    return out;
  }

  async size(): Promise<number> {
    return Number((this.s.state!.get() as { size: number }).size);
  }

  private readSync(indexes: readonly number[]): Uint8Array[] {
    if (indexes.length === 0) return [];
    const found = new Map<number, Uint8Array>();
    for (let i = 0; i < indexes.length; i += 500) {
      const chunk = indexes.slice(i, i + 500);
      let st = this.inStmts.get(`h#${chunk.length}`);
      if (!st) {
        st = this.raw.prepare(`SELECT idx, hash FROM trace_log_hashes WHERE idx IN (${chunk.map(() => '?').join(',')})`);
        if (this.inStmts.size < 64) this.inStmts.set(`h#${chunk.length}`, st);
      }
      for (const r of st.all(...chunk) as { idx: number; hash: Buffer }[]) found.set(Number(r.idx), new Uint8Array(r.hash));
    }
    return indexes.map((i) => {
      const h = found.get(i);
      if (!h) throw new Error(`stored hash ${i} is missing`);
      return h;
    });
  }

  async readHashes(indexes: readonly number[]): Promise<Uint8Array[]> {
    return this.readSync(indexes);
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    return (this.s.leaves!.all(from, to) as Record<string, unknown>[]).map(mapLeafRow);
  }

  async latestCheckpoint(): Promise<CheckpointRow | null> {
    return cpRow(this.s.latestCp!.get());
  }

  async checkpoint(size: number): Promise<CheckpointRow | null> {
    return cpRow(this.s.cp!.get(size));
  }

  async insertCheckpoint(r: CheckpointRow): Promise<void> {
    await this.db.writeLock.run(() => this.s.insCp!.run(r.size, r.root, r.note, r.createdAt));
  }

  async cosignatures(size: number): Promise<CosignatureRow[]> {
    return (this.s.cosigs!.all(size) as { size: number; witness: string; line: string }[]).map((r) => ({ size: Number(r.size), witness: r.witness, line: r.line }));
  }

  async insertCosignature(r: CosignatureRow, createdAt: number): Promise<void> {
    await this.db.writeLock.run(() => this.s.insCosig!.run(r.size, r.witness, r.line, createdAt));
  }

  async latestWitnessedSize(witnesses: readonly string[], quorum: number): Promise<number | null> {
    if (witnesses.length === 0 || quorum < 1) return null;
    const r = this.raw
      .prepare(`SELECT size FROM trace_cosignatures WHERE witness IN (${witnesses.map(() => '?').join(',')}) GROUP BY size HAVING COUNT(*) >= ? ORDER BY size DESC LIMIT 1`)
      .get(...witnesses, quorum) as { size: number } | undefined;
    return r ? Number(r.size) : null;
  }
}

function cpRow(r: unknown): CheckpointRow | null {
  if (!r) return null;
  const x = r as { size: number; root: Buffer; note: string; created_at: number };
  return { size: Number(x.size), root: new Uint8Array(x.root), note: x.note, createdAt: Number(x.created_at) };
}
