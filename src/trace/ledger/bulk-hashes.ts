import type { Database } from '../../storage/database.ts';
import { storedHashIndex } from '../log/merkle.ts';
import { Frontier } from './frontier.ts';

/**
 * Benchmark and test tool: appends raw leaf hashes to the log's stored-hash table in bulk (no
 * event rows), using the same {@link Frontier} arithmetic as the appender, and advances the log
 * size. It builds a 10-million-leaf tree in minutes instead of replaying 10 million captures.
 * Never used by the server: a log built this way has leaves without entries.
 */
export async function bulkAppendLeafHashes(db: Database, count: number, leafAt: (i: number) => Uint8Array, opts: { batch?: number; onProgress?: (done: number) => void } = {}): Promise<Uint8Array> {
  const batch = opts.batch ?? 100_000;
  const st = (await db.kysely.selectFrom('trace_log_state').select(['size']).where('id', '=', 1).executeTakeFirstOrThrow()) as { size: number };
  const start = Number(st.size);
  const existing = start === 0 ? [] : await readFrontierHashes(db, start);
  const frontier = start === 0 ? Frontier.empty() : Frontier.fromStored(start, existing);
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    const from = storedHashIndex(0, start + done);
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < n; i++) for (const h of frontier.append(leafAt(start + done + i))) hashes.push(h);
    await writeHashes(db, from, hashes, start + done + n);
    opts.onProgress?.(done + n);
  }
  return frontier.root();
}

async function readFrontierHashes(db: Database, size: number): Promise<Uint8Array[]> {
  const idx = Frontier.indexes(size);
  const rows = (await db.kysely.selectFrom('trace_log_hashes').select(['idx', 'hash']).where('idx', 'in', idx).execute()) as { idx: number; hash: Uint8Array }[];
  const m = new Map(rows.map((r) => [Number(r.idx), new Uint8Array(r.hash)]));
  return idx.map((i) => m.get(i)!);
}

async function writeHashes(db: Database, from: number, hashes: Uint8Array[], size: number): Promise<void> {
  if (db.dialect === 'sqlite') {
    const raw = db.sqlite!;
    const ins = raw.prepare('INSERT INTO trace_log_hashes (idx, hash) VALUES (?, ?)');
    const upd = raw.prepare('UPDATE trace_log_state SET size = ? WHERE id = 1');
    await db.writeLock.run(() =>
      raw.transaction(() => {
        for (let i = 0; i < hashes.length; i++) ins.run(from + i, hashes[i]);
        upd.run(size);
      })(),
    );
    return;
  }
  const c = await db.pg!.connect();
  try {
    await c.query('BEGIN');
    for (let i = 0; i < hashes.length; i += 50_000) {
      const part = hashes.slice(i, i + 50_000);
      await c.query('INSERT INTO trace_log_hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [part.map((_, j) => from + i + j), part.map((h) => Buffer.from(h))]);
    }
    await c.query('UPDATE trace_log_state SET size = $1 WHERE id = 1', [size]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}
