import type BetterSqlite3 from 'better-sqlite3';
import type { PagesJob, PagesResult, RawRows, Statement } from './read-pool.ts';

/**
 * The read jobs of read-pool.ts, run synchronously on one SQLite connection: on a read thread
 * (read-worker.ts), or on the writing connection when there are no read threads.
 */
export type Prepare = (sql: string) => BetterSqlite3.Statement;

export function runRows(prepare: Prepare, st: Statement): RawRows {
  const s = prepare(st.sql);
  if (!s.reader) throw new Error('only statements that return rows are reads');
  return packRows(s.columns().map((c) => c.name), s.raw(true).all(st.parameters as unknown[]) as unknown[][]);
}

/**
 * Rows by column. A column of numbers (and NULLs, as NaN: SQLite stores no NaN, it makes them
 * NULL) becomes a Float64Array, which crosses to the main thread without being copied value by
 * value; any other column stays an array. Sending the rows as arrays of arrays cost the main
 * thread about 1 µs a row to rebuild (8,760 rollup rows of 9 numbers: 5 ms); this, a tenth of that.
 */
export function packRows(columns: string[], rows: unknown[][]): RawRows {
  const n = rows.length;
  const data: (Float64Array | unknown[])[] = [];
  for (let c = 0; c < columns.length; c++) {
    let numeric = true;
    for (let i = 0; i < n; i++) {
      const v = rows[i]![c];
      if (v !== null && typeof v !== 'number') {
        numeric = false;
        break;
      }
    }
    if (numeric) {
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = (rows[i]![c] as number | null) ?? Number.NaN;
      data.push(f);
    } else {
      data.push(rows.map((r) => r[c]));
    }
  }
  return { columns, length: n, data };
}

/** Run in one snapshot: the caller's read transaction, or without yielding in between. */
export function runPages(prepare: Prepare, job: PagesJob): PagesResult {
  const ids = prepare(job.ids.sql).raw(true);
  const idParams = [...job.ids.parameters];
  const count = job.count ? prepare(job.count.sql).raw(true) : null;
  const countParams = job.count ? [...job.count.parameters] : [];
  const pages: number[][] = [];
  const counts: number[] | null = count ? [] : null;
  const wanted: number[] = [];
  for (const pid of job.parentIds) {
    idParams[0] = pid;
    const page = (ids.all(idParams) as unknown[][]).map((r) => Number(r[0]));
    pages.push(page);
    // Rows past $top only tell that there is a next page: their ids are enough.
    for (let k = 0; k < page.length && k < job.top; k++) wanted.push(page[k]!);
    if (count && counts) {
      countParams[0] = pid;
      counts.push(Number((count.get(countParams) as unknown[])[0]));
    }
  }
  const rowParams = [...job.rows.parameters];
  rowParams[0] = JSON.stringify(wanted);
  return { pages, counts, rows: wanted.length ? runRows(prepare, { sql: job.rows.sql, parameters: rowParams }) : { columns: [], length: 0, data: [] } };
}

/** The typed arrays' buffers of packed rows, moved rather than copied to the main thread. */
export function buffersOf(rows: RawRows): ArrayBuffer[] {
  return rows.data.filter((d): d is Float64Array => d instanceof Float64Array).map((d) => d.buffer as ArrayBuffer);
}
