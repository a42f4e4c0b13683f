// The WAL checkpointer thread (see checkpointer.ts). Plain JavaScript: it needs no TypeScript loader.
// For each registered SQLite file it keeps its own connection and, every INTERVAL_MS, copies
// committed WAL frames into the database file (PRAGMA wal_checkpoint(PASSIVE): it never blocks the
// writer). When sustained writing keeps the WAL from ever being fully copied, and it has grown past
// the limit, a RESTART checkpoint waits for the writer between two transactions, so that the next
// transaction starts the WAL over.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { intervalMs, restartPages } = workerData;
const open = new Map();

parentPort.on('message', (m) => {
  if (m.add !== undefined && !open.has(m.add)) {
    try {
      const db = new BetterSqlite3(m.add, { fileMustExist: true });
      db.pragma('busy_timeout = 2000');
      open.set(m.add, db);
    } catch {
      // gone already: nothing to checkpoint
    }
  }
  if (m.remove !== undefined) {
    open.get(m.remove)?.close();
    open.delete(m.remove);
  }
});

setInterval(() => {
  for (const [file, db] of open) {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (r.log > restartPages && r.checkpointed < r.log) db.pragma('wal_checkpoint(RESTART)');
    } catch {
      // busy or closed under us: the next round tries again
      if (!db.open) open.delete(file);
    }
  }
}, intervalMs);
