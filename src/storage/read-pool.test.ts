// SQLite reads on worker threads (read-pool.ts): what they see, their errors, and a worker's death.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { type Database, openDatabase, readerOf } from './database.ts';
import { explainTimeout } from './deadline.ts';
import { rowArrays, SqliteReadPool } from './read-pool.ts';

const dir = mkdtempSync(join(tmpdir(), 'cantho-reads-'));
let db: Database;
let pool: SqliteReadPool;
/** The rows of a read as arrays. */
const all = async (text: string, parameters: unknown[] = []) => rowArrays(await pool.rows({ sql: text, parameters }));

before(() => {
  db = openDatabase(join(dir, 'r.db'), { readThreads: 2 });
  pool = db.readPool!;
  db.sqlite!.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  db.sqlite!.prepare('INSERT INTO t (v) VALUES (?), (?)').run('a', 'b');
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a read thread sees what is committed, not what a transaction of the writer holds open', async () => {
  const r = await pool.rows({ sql: 'SELECT id, v, NULL AS empty, 0.5 AS half FROM t ORDER BY id', parameters: [] });
  assert.deepEqual(r.columns, ['id', 'v', 'empty', 'half']);
  assert.ok(r.data[0] instanceof Float64Array, 'a column of numbers crosses as a Float64Array');
  assert.deepEqual(rowArrays(r), [[1, 'a', null, 0.5], [2, 'b', null, 0.5]]);
  const raw = db.sqlite!;
  raw.exec('BEGIN');
  raw.prepare('INSERT INTO t (v) VALUES (?)').run('open');
  assert.equal((await all('SELECT COUNT(*) FROM t'))[0]![0], 2);
  raw.exec('COMMIT');
  assert.equal((await all('SELECT COUNT(*) FROM t WHERE v = ?', ['open']))[0]![0], 1);
});

test('the query builder reads through it (readerOf), and it cannot write', async () => {
  const r = await readerOf(db).selectFrom('t').select(['id', 'v']).where('v', '=', 'b').execute();
  assert.deepEqual(r, [{ id: 2, v: 'b' }]);
  await assert.rejects(pool.rows({ sql: 'DELETE FROM t', parameters: [] }), /only statements that return rows/);
  await assert.rejects(pool.rows({ sql: "INSERT INTO t (v) VALUES ('x') RETURNING id", parameters: [] }), (e: Error & { code?: string }) => e.code === 'SQLITE_READONLY');
  await assert.rejects(readerOf(db).transaction().execute(async () => {}), /no transactions/);
  assert.equal((db.sqlite!.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 3);
});

test("a statement's error comes back with its code; a read past its deadline as QUERY_TOO_COSTLY", async () => {
  await assert.rejects(pool.rows({ sql: 'SELECT nope FROM t', parameters: [] }), (e: Error & { code?: string }) => e.code === 'SQLITE_ERROR' && /no such column: nope/.test(e.message));
  // cantho_deadline (registered on every read thread) looks at the clock every 1,024 rows.
  const past = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT COUNT(*) FROM n WHERE likelihood(cantho_deadline(${Date.now() - 1}), 1.0)`.compile(db.kysely);
  const stopped = await pool.rows(past).catch((e: unknown) => e);
  assert.equal((explainTimeout(stopped, 5, 'Narrow it.') as { code?: string }).code, 'QUERY_TOO_COSTLY');
});

test('a costly read leaves the other thread and the event loop free', async () => {
  // Two reads in one turn: the second finds the first thread busy and starts the second thread.
  await Promise.all([all('SELECT 1'), all('SELECT 1')]);
  assert.equal(pool.load.running, 0);
  const slow = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000000) SELECT COUNT(*) FROM n`.compile(db.kysely);
  let slowDone = false;
  const pending = pool.rows(slow).then((r) => {
    slowDone = true;
    return r;
  });
  let ticks = 0;
  while (!slowDone && ticks < 3) {
    // The event loop turns, and a cheap read on the second thread answers, while the first works.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await all('SELECT v FROM t WHERE id = ?', [1]), [['a']]);
    ticks++;
  }
  assert.equal(ticks, 3, 'three cheap reads answered before the costly one');
  assert.equal(slowDone, false);
  assert.equal(rowArrays(await pending)[0]![0], 6_000_000);
});

test('a read thread that dies fails its read only; a new thread takes its place', async () => {
  const slow = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000000) SELECT COUNT(*) FROM n`.compile(db.kysely);
  const pending = pool.rows(slow);
  const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> }; busy: unknown }[] }).slots;
  const running = slots.find((s) => s.busy)!;
  await running.worker.terminate();
  await assert.rejects(pending, /read thread exited/);
  for (let i = 0; i < 4; i++) assert.equal((await all('SELECT COUNT(*) FROM t'))[0]![0], 3);
  assert.equal(slots.length, 2);
});

test('reads queued when the database closes fail instead of hanging', async () => {
  const other = openDatabase(join(dir, 'c.db'), { readThreads: 1 });
  const reads = other.readPool!;
  const slow = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT COUNT(*) FROM n`.compile(other.kysely);
  const first = reads.rows(slow).catch((e: unknown) => e);
  const queued = reads.rows({ sql: 'SELECT 1', parameters: [] }).catch((e: unknown) => e);
  await other.close();
  assert.match(String(await queued), /closed/);
  assert.ok((await first) instanceof Error, 'the running read ends with its thread');
  await assert.rejects(reads.rows({ sql: 'SELECT 1', parameters: [] }), /closed/);
});

test('reads fail at once while no thread can open the file, and work once it can', async () => {
  const file = join(dir, 'later.db');
  const reads = new SqliteReadPool(file, 2);
  try {
    // The thread cannot open a file that does not exist: the read waiting for it fails with why.
    await assert.rejects(reads.rows({ sql: 'SELECT 1', parameters: [] }), /cannot open .*later\.db/);
    await assert.rejects(reads.rows({ sql: 'SELECT 1', parameters: [] }), /cannot open .*later\.db/, 'and the next at once');
    const made = openDatabase(file);
    made.sqlite!.exec('CREATE TABLE u (x); INSERT INTO u VALUES (7)');
    // Started again after a pause (250 ms, then doubling), not in a loop: it now opens the file.
    let got: unknown = null;
    for (let i = 0; i < 100 && got === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      got = await reads.rows({ sql: 'SELECT x FROM u', parameters: [] }).then(rowArrays, () => null);
    }
    assert.deepEqual(got, [[7]]);
    await made.close();
  } finally {
    await reads.close();
  }
});

test('held, no read starts and the running ones go on; released, the waiting ones run', async () => {
  const slow = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT COUNT(*) FROM n`.compile(db.kysely);
  const running = pool.rows(slow);
  pool.hold();
  assert.equal(pool.isHeld, true);
  let answered = false;
  const waiting = all('SELECT 1').then(() => (answered = true));
  await running;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual([answered, pool.load], [false, { running: 0, waiting: 1 }], 'the read that came after the hold waits');
  pool.release();
  await waiting;
  assert.equal(answered, true);
});

test('a read sent through `ahead` goes before the others waiting for a thread', async () => {
  const slow = sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT COUNT(*) FROM n`.compile(db.kysely);
  const done: string[] = [];
  pool.hold();
  const large = [1, 2, 3, 4].map((i) => pool.rows(slow).then(() => done.push(`large ${i}`)));
  const small = pool.ahead.rows({ sql: 'SELECT 1', parameters: [] }).then(() => done.push('small'));
  assert.deepEqual(pool.load, { running: 0, waiting: 5 });
  pool.release();
  await Promise.all([...large, small]);
  assert.equal(done.indexOf('small'), 0, `in the order ${done.join(', ')}`);
});
