import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Database } from './database.ts';
import { isDeadlinePassed } from './deadline-function.ts';

/**
 * Execution-time bound of API reads (CANTHO_QUERY_TIMEOUT_MS). The compile-time bounds
 * (sensing/query/compile-env.ts, $top, $expand depth) keep an expression small, but a small expression can still
 * read millions of rows: `Observations?$orderby=result&$skip=1000000` sorts every observation. On
 * SQLite such a read holds a read thread (read-pool.ts), or with CANTHO_SQLITE_READ_THREADS=0 the
 * one thread that also serves ingest and every other request, so it must stop itself.
 *
 * SQLite: better-sqlite3 exposes neither sqlite3_interrupt nor a progress handler, so the WHERE
 * clause of a collection read begins with `likelihood(cantho_deadline(<deadline>), 1.0)`. SQLite calls
 * the function for every row it visits (it is not deterministic, so it is not hoisted out of the
 * loop); every 1,024th call looks at the clock and throws past the deadline, which aborts the
 * statement. The likelihood of 1.0 tells the planner the term removes no rows, so plans stay those
 * of the query without it. A read that visits fewer than 1,024 rows is never stopped; the cost is
 * 25–55 ns a visited row (a full count of 3 M observations: 395 → 562 ms).
 *
 * PostgreSQL: reads run on their own pool whose connections have `statement_timeout` set
 * (database.ts) and the server cancels them (SQLSTATE 57014). Where reads are served
 * (SensingService.get, the EPCIS query), `explainTimeout` turns either into QUERY_TOO_COSTLY with
 * that API's advice.
 */

/** `e` as the caller should see it: a stopped read becomes QUERY_TOO_COSTLY saying how to narrow it. */
export function explainTimeout(e: unknown, timeoutMs: number, advice: string): unknown {
  const stopped = isDeadlinePassed(e) || (e as { code?: unknown } | null)?.code === '57014';
  return stopped ? new AppError('QUERY_TOO_COSTLY', `The query ran longer than the server allows (${timeoutMs} ms) and was stopped. ${advice}`) : e;
}

/** When a read must stop (epoch ms). */
export interface Deadline {
  readonly at: number;
}

/** The deadline of a read starting now; undefined when reads are not bounded (timeout 0). */
export function deadlineFrom(timeoutMs: number): Deadline | undefined {
  return timeoutMs > 0 ? { at: Date.now() + timeoutMs } : undefined;
}

/**
 * The WHERE term that stops a SQLite read at its deadline; null where none applies. It must come
 * first in the WHERE: SQLite evaluates the terms in written order and stops at the first false one,
 * so behind a selective filter it would be called only for the rows that pass. The deadline is
 * written into the SQL (an integer computed here), so the term moves no parameter of the query.
 */
export function deadlineTerm(db: Database, d: Deadline | undefined): RawBuilder<unknown> | null {
  if (db.dialect !== 'sqlite' || d === undefined) return null;
  return sql.raw(`likelihood(cantho_deadline(${Math.floor(d.at)}), 1.0)`);
}
