import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
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
