import type pg from 'pg';
import type { Database } from '../../storage/database.ts';
import { type AppendItem, type ItemResult, planAppend } from './append-plan.ts';
import { Frontier } from './frontier.ts';
import { LEAF_COLUMNS, LEAF_FROM, type LeafRow, mapLeafRow } from './leaf-row.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { CheckpointRow, CosignatureRow } from './rows.ts';

/**
 * The log on PostgreSQL. The append transaction locks the single `trace_log_state` row
 * (SELECT … FOR UPDATE), so several nodes append in turn and leaf indexes stay dense; rows go in
 * with one `INSERT … SELECT FROM unnest($arrays)` per table (one round trip per table, whatever
 * the batch size). The tree's border is re-read under the lock in every transaction.
 */
export class PostgresLedgerStore implements LedgerStore {
  private readonly pool: pg.Pool;

  constructor(db: Database) {
    this.pool = db.pg!;
  }

  async append(items: readonly AppendItem[], now: number): Promise<ItemResult[]> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const st = (await c.query('SELECT size, last_record_time FROM trace_log_state WHERE id = 1 FOR UPDATE')).rows[0] as { size: number; last_record_time: number };
      const size = Number(st.size);
      const working = Frontier.fromStored(size, await readWith(c, Frontier.indexes(size)));
      const ids = items.flatMap((it) => it.events.map((e) => e.eventId));
      const digests = items.map((it) => it.capture.digest);
      const existingIds = new Set((await c.query('SELECT event_id FROM trace_events WHERE event_id = ANY($1::text[])', [ids])).rows.map((r) => r.event_id as string));
      const existingDigests = new Set((await c.query('SELECT digest FROM trace_captures WHERE digest = ANY($1::text[])', [digests])).rows.map((r) => r.digest as string));
      const plan = planAppend(items, { size, lastRecordTime: Number(st.last_record_time), now, existingIds, existingDigests, frontier: working });
      const cs = plan.captures;
      if (cs.length) {
        await c.query(
          `INSERT INTO trace_captures (id, org_id, key_id, digest, signature, body, error_behaviour, success, errors, event_count, first_leaf, created_at, finished_at, api_key_id)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[])`,
          [cs.map((x) => x.id), cs.map((x) => x.orgId), cs.map((x) => x.keyId), cs.map((x) => x.digest), cs.map((x) => x.signature), cs.map((x) => x.body), cs.map((x) => x.behaviour),
            cs.map((x) => (x.success ? 1 : 0)), cs.map((x) => JSON.stringify(x.errors)), cs.map((x) => x.eventCount), cs.map((x) => x.firstLeaf), cs.map((x) => x.createdAt), cs.map((x) => x.finishedAt), cs.map((x) => x.apiKeyId)],
        );
      }
      const ev = plan.events;
      if (ev.length) {
        await c.query(
          `INSERT INTO trace_events (leaf_index, event_id, event_hash, event_type, action, event_time, record_time, biz_step, disposition, read_point, biz_location, capture_id, capture_index, org_id, event_json)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::text[])`,
          [ev.map((e) => e.leafIndex), ev.map((e) => e.eventId), ev.map((e) => e.eventHash), ev.map((e) => e.eventType), ev.map((e) => e.action), ev.map((e) => e.eventTime), ev.map((e) => e.recordTime),
            ev.map((e) => e.bizStep), ev.map((e) => e.disposition), ev.map((e) => e.readPoint), ev.map((e) => e.bizLocation), ev.map((e) => e.captureId), ev.map((e) => e.captureIndex), ev.map((e) => e.orgId), ev.map((e) => e.eventJson)],
        );
      }
      if (plan.epcs.epc.length) {
        await c.query('INSERT INTO trace_event_epcs (epc, role, leaf_index) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING', [
          plan.epcs.epc, plan.epcs.role, plan.epcs.leafIndex,
        ]);
      }
      if (plan.hashes.length) {
        await c.query('INSERT INTO trace_log_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [
          plan.hashes.map((_, i) => plan.hashStart + i), plan.hashes.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)),
        ]);
      }
      await c.query('UPDATE trace_log_state SET size = $1, last_record_time = $2 WHERE id = 1', [plan.size, plan.lastRecordTime]);
      await c.query('COMMIT');
      return plan.results;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
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
