import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { checkpointInBackground } from './checkpointer.ts';
import { openDatabase } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'cantho-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('committed WAL frames reach the database file without a checkpoint in any commit', async () => {
  const file = join(dir, 'a.db');
  const db = openDatabase(file);
  try {
    const raw = db.sqlite!;
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const before = statSync(file).size;
    const ins = raw.prepare('INSERT INTO t (v) VALUES (?)');
    // About 4 MB of rows in small transactions: SQLite's automatic checkpoint would have run.
    for (let i = 0; i < 40; i++) raw.transaction(() => {
      for (let k = 0; k < 100; k++) ins.run('x'.repeat(1000));
    })();
    assert.ok(statSync(`${file}-wal`).size > 4_000_000, 'the rows are in the WAL');
    const deadline = Date.now() + 5000;
    while (statSync(file).size < before + 4_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(statSync(file).size >= before + 4_000_000, `the background thread copied them into the database file (${statSync(file).size} bytes)`);
    assert.equal((raw.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 4000);
  } finally {
    await db.close();
  }
});

test('a process that opened a database exits by itself (the checkpointer thread does not hold it)', () => {
  const url = new URL('./database.ts', import.meta.url).href;
  const code = `const { openDatabase } = await import(${JSON.stringify(url)}); const db = openDatabase(${JSON.stringify(join(dir, 'b.db'))}); db.sqlite.exec('CREATE TABLE t (x)');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { timeout: 20_000, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'it did not time out');
  assert.equal(r.status, 0, r.stderr);
});

/** How many of this process's file descriptors (every thread's) are open on `file` (Linux). */
function openOn(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}

test('unregistering a file resolves once the checkpointer thread has closed its connection to it, so that it can be removed', { skip: existsSync('/proc/self/fd') ? false : 'needs /proc/self/fd (Linux)' }, async () => {
  for (let i = 0; i < 5; i++) {
    const file = join(dir, `c${i}.db`);
    const raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE t (x)');
    const stop = checkpointInBackground(file, () => {});
    // The thread's first pass opens the WAL beside this connection's. (SQLite keeps the database
    // file's descriptor of a closed connection while another one in the process holds a lock on
    // it, so the WAL tells.)
    const deadline = Date.now() + 5000;
    while (openOn(`${file}-wal`) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(openOn(`${file}-wal`), 2, 'this connection and the thread have the WAL open');
    await stop();
    assert.equal(openOn(`${file}-wal`), 1, `round ${i}: the thread let go of it before stop() resolved`);
    raw.close();
  }
});
