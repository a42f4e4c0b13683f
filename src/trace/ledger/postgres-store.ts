import type pg from 'pg';
import type { Database } from '../../storage/database.ts';
import { type AppendItem, type AppendPlan, type ItemResult, planAppend } from './append-plan.ts';
import { Frontier } from './frontier.ts';
import { LEAF_COLUMNS, LEAF_FROM, type LeafRow, mapLeafRow } from './leaf-row.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { CheckpointRow, CosignatureRow } from './rows.ts';

/**
 * The log on PostgreSQL. The append transaction locks the single `trace_log_state` row
 * (SELECT … FOR UPDATE), so several nodes append in turn and leaf indexes stay dense; rows go in
 * with one `INSERT … SELECT FROM unnest($arrays)` per table, all in one statement (one round trip,
 * whatever the batch size). The tree's border is re-read under the lock in every transaction.
 * Repeated eventIDs and bodies are found by the UNIQUE indexes (then the batch is planned again).
 */
export class PostgresLedgerStore implements LedgerStore {
  private readonly pool: pg.Pool;

  constructor(db: Database) {
    this.pool = db.pg!;
  }

  async append(items: readonly AppendItem[], now: number): Promise<ItemResult[]> {
    // Optimistic first: captures rarely repeat a stored eventID or body, so the rows are written
    // without looking those up; a repeat trips a UNIQUE index, the transaction rolls back, and the
    // batch is appended again knowing what is stored.
    try {
      return await this.appendTx(items, now, false);
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
      return this.appendTx(items, now, true);
    }
  }

  /**
   * One append transaction in four round trips (appends are serialised, so each one is paid by
   * every capture waiting): begin and lock; read the border (and, with `lookup`, which eventIDs and
   * digests are stored); write everything; commit.
   */
  private async appendTx(items: readonly AppendItem[], now: number, lookup: boolean): Promise<ItemResult[]> {
    const c = await this.pool.connect();
    try {
      const [, locked] = (await c.query('BEGIN; SELECT size, last_record_time FROM trace_log_state WHERE id = 1 FOR UPDATE')) as unknown as pg.QueryResult[];
      const st = locked!.rows[0] as { size: number; last_record_time: number };
      const size = Number(st.size);
      const ids = lookup ? items.flatMap((it) => it.events.map((e) => e.eventId)) : [];
      const digests = lookup ? items.map((it) => it.capture.digest) : [];
      const known = await this.read(c, Frontier.indexes(size), ids, digests);
      const plan = planAppend(items, { size, lastRecordTime: Number(st.last_record_time), now, existingIds: known.ids, existingDigests: known.digests, frontier: Frontier.fromStored(size, known.hashes) });
      await write(c, plan);
      await c.query('COMMIT');
      return plan.results;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** Stored hashes at `indexes` (all must exist), and which of `ids` and `digests` are stored. */
  private async read(c: pg.PoolClient, indexes: readonly number[], ids: readonly string[], digests: readonly string[]) {
    const r = await c.query({ name: 'trace-append-read', text: READ_SQL, values: [pgArray(indexes), pgArray(ids), pgArray(digests)] });
    const found = new Map<number, Uint8Array>();
    const known = { hashes: [] as Uint8Array[], ids: new Set<string>(), digests: new Set<string>() };
    for (const x of r.rows as { k: string; i: number | null; h: Buffer | null; v: string | null }[]) {
      if (x.k === 'h') found.set(Number(x.i), new Uint8Array(x.h!));
      else if (x.k === 'e') known.ids.add(x.v!);
      else known.digests.add(x.v!);
    }
    known.hashes = indexes.map((i) => {
      const h = found.get(i);
      if (!h) throw new Error(`stored hash ${i} is missing`);
      return h;
    });
    return known;
  }

  async size(): Promise<number> {
    return Number((await this.pool.query('SELECT size FROM trace_log_state WHERE id = 1')).rows[0].size);
  }

  async readHashes(indexes: readonly number[]): Promise<Uint8Array[]> {
    return readWith(this.pool, indexes);
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    const r = await this.pool.query(`SELECT ${LEAF_COLUMNS} FROM ${LEAF_FROM} WHERE e.leaf_index >= $1 AND e.leaf_index < $2 ORDER BY e.leaf_index`, [from, to]);
    return r.rows.map(mapLeafRow);
  }

  async latestCheckpoint(): Promise<CheckpointRow | null> {
    return cpRow((await this.pool.query('SELECT size, root, note, created_at FROM trace_checkpoints ORDER BY size DESC LIMIT 1')).rows[0]);
  }

  async checkpoint(size: number): Promise<CheckpointRow | null> {
    return cpRow((await this.pool.query('SELECT size, root, note, created_at FROM trace_checkpoints WHERE size = $1', [size])).rows[0]);
  }

  async insertCheckpoint(r: CheckpointRow): Promise<void> {
    await this.pool.query('INSERT INTO trace_checkpoints (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING', [r.size, Buffer.from(r.root), r.note, r.createdAt]);
  }

  async cosignatures(size: number): Promise<CosignatureRow[]> {
    const r = await this.pool.query('SELECT size, witness, line FROM trace_cosignatures WHERE size = $1 ORDER BY witness', [size]);
    return r.rows.map((x) => ({ size: Number(x.size), witness: x.witness as string, line: x.line as string }));
  }

  async insertCosignature(r: CosignatureRow, createdAt: number): Promise<void> {
    await this.pool.query('INSERT INTO trace_cosignatures (size, witness, line, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO NOTHING', [r.size, r.witness, r.line, createdAt]);
  }

  async latestWitnessedSize(witnesses: readonly string[], quorum: number): Promise<number | null> {
    if (witnesses.length === 0 || quorum < 1) return null;
    const r = await this.pool.query('SELECT size FROM trace_cosignatures WHERE witness = ANY($1::text[]) GROUP BY size HAVING COUNT(*) >= $2 ORDER BY size DESC LIMIT 1', [witnesses, quorum]);
    return r.rows[0] ? Number(r.rows[0].size) : null;
  }
}

/** Writes every row of a plan and the new log state (one statement). */
async function write(c: pg.PoolClient, plan: AppendPlan): Promise<void> {
  const cs = plan.captures;
  const ev = plan.events;
  await c.query({
    name: 'trace-append-write',
    text: WRITE_SQL,
    values: [
      pgArray(cs.map((x) => x.id)), pgArray(cs.map((x) => x.orgId)), pgArray(cs.map((x) => x.keyId)), pgArray(cs.map((x) => x.digest)), pgArray(cs.map((x) => x.signature)),
      pgArray(cs.map((x) => x.body)), pgArray(cs.map((x) => x.behaviour)), pgArray(cs.map((x) => (x.success ? 1 : 0))), pgArray(cs.map((x) => JSON.stringify(x.errors))),
      pgArray(cs.map((x) => x.eventCount)), pgArray(cs.map((x) => x.firstLeaf)), pgArray(cs.map((x) => x.createdAt)), pgArray(cs.map((x) => x.finishedAt)), pgArray(cs.map((x) => x.apiKeyId)),
      pgArray(ev.map((e) => e.leafIndex)), pgArray(ev.map((e) => e.eventId)), pgArray(ev.map((e) => e.eventHash)), pgArray(ev.map((e) => e.eventType)), pgArray(ev.map((e) => e.action)),
      pgArray(ev.map((e) => e.eventTime)), pgArray(ev.map((e) => e.recordTime)), pgArray(ev.map((e) => e.bizStep)), pgArray(ev.map((e) => e.disposition)), pgArray(ev.map((e) => e.readPoint)),
      pgArray(ev.map((e) => e.bizLocation)), pgArray(ev.map((e) => e.captureId)), pgArray(ev.map((e) => e.captureIndex)), pgArray(ev.map((e) => e.orgId)), pgArray(ev.map((e) => e.eventJson)),
      pgArray(plan.epcs.epc), pgArray(plan.epcs.role), pgArray(plan.epcs.leafIndex),
      pgArray(plan.hashes.map((_, i) => plan.hashStart + i)), plan.hashes.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)),
      plan.size, plan.lastRecordTime,
    ],
  });
}

/** The border hashes, the eventIDs and the capture digests already stored, in one statement. */
const READ_SQL = `SELECT 'h' AS k, idx AS i, hash AS h, NULL AS v FROM trace_log_hashes WHERE idx = ANY($1::bigint[])
  UNION ALL SELECT 'e', NULL, NULL, event_id FROM trace_events WHERE event_id = ANY($2::text[])
  UNION ALL SELECT 'd', NULL, NULL, digest FROM trace_captures WHERE digest = ANY($3::text[])`;

/**
 * Every row of one append and the new log state, in one statement: one `INSERT … SELECT FROM
 * unnest($arrays)` per table as data-modifying CTEs (independent of each other; an empty array
 * inserts nothing), then the state update. EPC rows need no ON CONFLICT (a speculative insertion
 * per row): their leaf indexes are new and each event lists an (EPC, role) once (event-index.ts).
 */
const WRITE_SQL = `WITH
  c AS (INSERT INTO trace_captures (id, org_id, key_id, digest, signature, body, error_behaviour, success, errors, event_count, first_leaf, created_at, finished_at, api_key_id)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[])),
  e AS (INSERT INTO trace_events (leaf_index, event_id, event_hash, event_type, action, event_time, record_time, biz_step, disposition, read_point, biz_location, capture_id, capture_index, org_id, event_json)
    SELECT * FROM unnest($15::bigint[], $16::text[], $17::text[], $18::text[], $19::text[], $20::bigint[], $21::bigint[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::bigint[], $28::bigint[], $29::text[])),
  x AS (INSERT INTO trace_event_epcs (epc, role, leaf_index) SELECT * FROM unnest($30::text[], $31::bigint[], $32::bigint[])),
  h AS (INSERT INTO trace_log_hashes (idx, hash) SELECT * FROM unnest($33::bigint[], $34::bytea[]))
  UPDATE trace_log_state SET size = $35, last_record_time = $36 WHERE id = 1`;

/**
 * A PostgreSQL array literal for text, number and null elements, built by the engine's JSON
 * serialiser: JSON writes `"` and `\` escaped exactly as an array literal does, and `null` reads
 * as NULL. Elements with control characters or surrogates (which JSON would escape differently)
 * are left to the driver's own array encoding.
 */
export function pgArray(values: readonly (string | number | null)[]): string | readonly (string | number | null)[] {
  for (const v of values) if (typeof v === 'string' && JSON_ONLY_ESCAPES.test(v)) return values;
  const json = JSON.stringify(values);
  return `{${json.slice(1, -1)}}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters JSON escapes differently
const JSON_ONLY_ESCAPES = /[\u0000-\u001f\ud800-\udfff]/;

async function readWith(c: pg.Pool | pg.PoolClient, indexes: readonly number[]): Promise<Uint8Array[]> {
  if (indexes.length === 0) return [];
  const r = await c.query('SELECT idx, hash FROM trace_log_hashes WHERE idx = ANY($1::bigint[])', [indexes]);
  const found = new Map<number, Uint8Array>();
  for (const x of r.rows as { idx: number; hash: Buffer }[]) found.set(Number(x.idx), new Uint8Array(x.hash));
  return indexes.map((i) => {
    const h = found.get(i);
    if (!h) throw new Error(`stored hash ${i} is missing`);
    return h;
  });
}

function cpRow(x: { size: number; root: Buffer; note: string; created_at: number } | undefined): CheckpointRow | null {
  return x ? { size: Number(x.size), root: new Uint8Array(x.root), note: x.note, createdAt: Number(x.created_at) } : null;
}
