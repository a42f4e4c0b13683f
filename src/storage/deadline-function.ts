import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite side of the read deadline (deadline.ts), without other imports: read threads
 * (read-worker.ts) load it at start.
 */

/** What the SQLite deadline function throws. */
class DeadlinePassed extends Error {}

/** The error of a read stopped at its deadline (a read thread's, raised again on the main thread). */
export function deadlinePassed(): Error {
  return new DeadlinePassed('the read passed its deadline');
}

export function isDeadlinePassed(e: unknown): boolean {
  return e instanceof DeadlinePassed;
}

/** Registers `cantho_deadline(epochMs)` on a SQLite connection. */
export function registerDeadlineFunction(db: BetterSqlite3.Database): void {
  let calls = 0;
  db.function('cantho_deadline', { deterministic: false }, (at: unknown) => {
    calls = (calls + 1) & 1023;
    if (calls === 0 && Date.now() > (at as number)) throw deadlinePassed();
    return 1;
  });
}
