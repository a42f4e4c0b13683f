// The WAL checkpointer thread (see checkpointer.ts). Plain JavaScript: it needs no TypeScript loader.
// For each registered SQLite file it keeps its own connection and, every INTERVAL_MS, copies
// committed WAL frames into the database file with PRAGMA wal_checkpoint(PASSIVE), which never
// takes the write lock, so the writer never waits for it. SQLite starts the WAL over only when a
// write transaction begins while every frame is copied; under sustained writing a commit nearly
// always lands during the pass, so the WAL keeps growing. Past catchUpPages the owner is told
// (`large`) and restarts the WAL itself between two of its transactions. (A RESTART checkpoint
// from this connection would hold the write lock while waiting for the writer's open read to end:
// both waited out a busy timeout, and the event loop with them.) When the owner, holding its own
// write lock, asks (`truncate`), the thread restarts the WAL and cuts the file to zero bytes.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { intervalMs, catchUpPages, truncateBusyMs } = workerData;
const open = new Map();

parentPort.on('message', (m) => {
  if (m.add !== undefined && !open.has(m.add)) {
    try {
      open.set(m.add, new BetterSqlite3(m.add, { fileMustExist: true }));
    } catch {
      // gone already: nothing to checkpoint
    }
  }
  if (m.truncate !== undefined) {
    // Asked by the owner, who holds its write lock: only readers can be in the way.
    const db = open.get(m.truncate);
    let ok = false;
    const timeout = db?.pragma('busy_timeout', { simple: true });
    try {
      db.pragma(`busy_timeout = ${truncateBusyMs}`);
      ok = db.pragma('wal_checkpoint(TRUNCATE)')[0].busy === 0;
    } catch {
      // closed, gone or busy: the owner tries again later
    } finally {
      if (db?.open) db.pragma(`busy_timeout = ${timeout}`);
    }
    parentPort.postMessage({ truncated: m.id, ok });
  }
  // The owner waits for this before it may remove the file: a pass on a removed file fails, and a
  // pass that fails while the thread is being terminated at the process's exit aborts the whole
  // process (better-sqlite3 cannot make its error there: "FATAL ERROR: v8::ToLocalChecked Empty
  // MaybeLocal", seen once in a test run).
  if (m.remove !== undefined) {
    open.get(m.remove)?.close();
    open.delete(m.remove);
    parentPort.postMessage({ removed: m.id });
  }
});

setInterval(() => {
  for (const [file, db] of open) {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      // behind: frames this pass could not copy, because a reader still reads an older snapshot.
      if (r.log > catchUpPages) parentPort.postMessage({ large: file, pages: r.log, behind: r.log - r.checkpointed });
    } catch {
      // Closed under us, or the file is gone (a test's directory removed): stop trying. Otherwise
      // the next round tries again.
      if (db.open && !existsSync(file)) db.close();
      if (!db.open) open.delete(file);
    }
  }
}, intervalMs);
