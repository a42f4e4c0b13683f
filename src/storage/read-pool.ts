import { Worker } from 'node:worker_threads';
import { type CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { deadlinePassed } from './deadline-function.ts';

/**
 * API reads of a SQLite file on worker threads. better-sqlite3 is synchronous: a read on the
 * connection that also writes runs on the event loop, and a costly one (a sort of millions of
 * observations, up to its deadline) held every MQTT PUBACK, Server-Sent Event and HTTP answer
 * behind it. Here each worker has its own read-only connection to the same file (WAL mode lets
 * readers run beside the writer) with the same SQL functions, so the event loop only sends the
 * statement and builds the answer's objects. A read sees what is committed when it starts; a job
 * of several statements (`pages`) runs in one read transaction, on one snapshot.
 *
 * Jobs queue in arrival order and go to the first idle worker. One worker starts with the pool,
 * the others (up to `size`) when a job finds every worker busy. A worker that dies fails the job
 * it had, and a new one takes its place.
 */

/** A statement with its parameters, compiled for SQLite. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Rows by column (read-jobs.ts `packRows`): a Float64Array (NaN for NULL) or an array of values each. */
export interface RawRows {
  readonly columns: string[];
  readonly length: number;
  readonly data: (Float64Array | unknown[])[];
}

/**
 * A navigation page per parent, then the wanted rows by id, in one snapshot (see expand.ts):
 * `ids` is run once per parent with its first parameter replaced by the parent id and gives the
 * ordered ids of its page; `count`, when present, likewise gives its total; at most `top` ids of
 * each page are wanted, and `rows` is run once with the JSON array of all wanted ids as its first
 * parameter.
 */
export interface PagesJob {
  readonly parentIds: readonly number[];
  readonly ids: Statement;
  readonly count: Statement | null;
  readonly top: number;
  readonly rows: Statement;
}

export interface PagesResult {
  readonly pages: number[][];
  readonly counts: number[] | null;
  readonly rows: RawRows;
}

export type ReadJob = { readonly kind: 'rows'; readonly statement: Statement } | ({ readonly kind: 'pages' } & PagesJob);

/** What a worker answers to its one job: a result, or the error the statement raised. */
export type ReadReply = { result: unknown } | { error: { message: string; code?: string; deadline?: boolean } };

interface Pending {
  readonly job: ReadJob;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class SqliteReadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    private readonly file: string,
    readonly size: number,
  ) {
    // One thread from the start; the others when reads wait for one.
    this.slots.push({ worker: this.spawn(), busy: null });
  }

  /** The rows of one SELECT. */
  rows(statement: Statement): Promise<RawRows> {
    return this.run({ kind: 'rows', statement }) as Promise<RawRows>;
  }

  pages(job: PagesJob): Promise<PagesResult> {
    return this.run({ kind: 'pages', ...job }) as Promise<PagesResult>;
  }

  /** Reads running on a thread now, and reads waiting for one (the `cantho_sqlite_reads` gauge). */
  get load(): { running: number; waiting: number } {
    return { running: this.slots.filter((s) => s.busy).length, waiting: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the database is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private run(job: ReadJob): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.queue.length > 0 && this.slots.length < this.size && this.slots.every((s) => s.busy)) this.slots.push({ worker: this.spawn(), busy: null });
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      // A running read keeps the process alive (an awaited promise alone does not); an idle reader does not.
      slot.worker.ref();
      slot.worker.postMessage(p.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./read-pool.worker.mjs', import.meta.url), { workerData: { file: this.file } });
    worker.unref();
    const slot = (): Slot | undefined => this.slots.find((s) => s.worker === worker);
    worker.on('message', (m: ReadReply) => {
      const s = slot();
      const p = s?.busy;
      if (!s || !p) return;
      s.busy = null;
      worker.unref();
      if ('error' in m) p.reject(m.error.deadline ? deadlinePassed() : Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(m.result);
      this.dispatch();
    });
    const fail = (e: unknown) => {
      const s = slot();
      if (!s) return;
      s.busy?.reject(e instanceof Error ? e : new Error(`a read worker stopped (${String(e)})`));
      s.busy = null;
      if (this.closed) return;
      s.worker = this.spawn();
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a read worker exited (code ${code})`)));
    return worker;
  }
}

/** The value of row i in one column of RawRows. */
function valueAt(d: Float64Array | unknown[], i: number): unknown {
  const v = d[i];
  return typeof v === 'number' && Number.isNaN(v) ? null : v;
}

/** Row objects keyed by column name. */
export function rowObjects(r: RawRows): Record<string, unknown>[] {
  const { columns, data } = r;
  const out = new Array<Record<string, unknown>>(r.length);
  for (let i = 0; i < r.length; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]!] = valueAt(data[c]!, i);
    out[i] = row;
  }
  return out;
}

/** Rows as arrays of values in column order. */
export function rowArrays(r: RawRows): unknown[][] {
  const { data } = r;
  const out = new Array<unknown[]>(r.length);
  for (let i = 0; i < r.length; i++) {
    const row = new Array<unknown>(data.length);
    for (let c = 0; c < data.length; c++) row[c] = valueAt(data[c]!, i);
    out[i] = row;
  }
  return out;
}

/**
 * A Kysely dialect whose queries run on a read pool, for reads written with the query builder
 * (`readerOf`). Read-only: the connections cannot write, and transactions are refused.
 */
export class ReadPoolDialect implements Dialect {
  constructor(private readonly pool: SqliteReadPool) {}
  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    const pool = this.pool;
    const connection: DatabaseConnection = {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        return { rows: rowObjects(await pool.rows(q)) as R[] };
      },
      // biome-ignore lint/correctness/useYield: streaming is refused
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        throw new Error('the read pool does not stream');
      },
    };
    const refuse = async () => {
      throw new Error('the read pool runs no transactions');
    };
    return {
      init: async () => {},
      acquireConnection: async () => connection,
      beginTransaction: refuse,
      commitTransaction: refuse,
      rollbackTransaction: refuse,
      releaseConnection: async () => {},
      destroy: async () => {},
    };
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
