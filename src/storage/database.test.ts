import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { testBackends } from '../testing/databases.ts';
import { openDatabase, writeTx } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'cantho-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('statement journals are in memory only inside the transactions that ask for it', async () => {
  const db = openDatabase(join(dir, 'a.db'));
  try {
    const raw = db.sqlite!;
    const tempStore = () => raw.pragma('temp_store', { simple: true });
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    assert.equal(tempStore(), 0, 'reads and other writes keep temporary files');
    const ins = raw.prepare('INSERT INTO t (v) VALUES (?), (?), (?)');

    const inside = await writeTx(db, async () => {
      ins.run('a', 'b', 'c');
      return tempStore();
    }, { statementJournalInMemory: true });
    assert.equal(inside, 2, 'in memory inside the transaction');
    assert.equal(tempStore(), 0, 'back to temporary files after the commit');

    assert.equal(await writeTx(db, async () => tempStore()), 0, 'a transaction that does not ask keeps files');

    // A failing transaction rolls back and still restores the setting.
    await assert.rejects(writeTx(db, async () => {
      ins.run('d', 'e', 'f');
      throw new Error('boom');
    }, { statementJournalInMemory: true }), /boom/);
    assert.equal(tempStore(), 0);
    assert.equal((raw.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 3, 'the rolled-back rows are gone');
  } finally {
    await db.close();
  }
});

test('PostgreSQL: the read pool cancels past its timeout, the write pool does not', { skip: !process.env.CANTHO_TEST_POSTGRES_URL && 'needs CANTHO_TEST_POSTGRES_URL' }, async () => {
  const backends = testBackends();
  const db = await backends.find((b) => b.dialect === 'postgres')!.open({ readTimeoutMs: 50 });
  try {
    await assert.rejects(sql`SELECT pg_sleep(1)`.execute(db.reads!.kysely), (e: { code?: string }) => e.code === '57014');
    await sql`SELECT pg_sleep(0.2)`.execute(db.kysely);
  } finally {
    await db.close();
    for (const b of backends) await b.cleanup();
  }
});
