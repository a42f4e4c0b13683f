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
 * Jobs queue in arrival order and go to the first idle worker, those sent through `ahead` (small
 * reads) before the others. One worker starts with the pool,
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

/** What runs reads: the pool, or the same pool whose reads go first (`SqliteReadPool.ahead`). */
export interface ReadRunner {
  rows(statement: Statement): Promise<RawRows>;
  pages(job: PagesJob): Promise<PagesResult>;
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
  /** Null while a thread that could not start waits to be started again. */
  worker: Worker | null;
  busy: Pending | null;
  /** Starts in a row that failed (the thread ended before it had opened the file). */
  failedStarts: number;
}

/** The longest pause before starting again a thread that could not start. */
const MAX_RESTART_PAUSE_MS = 30_000;

export class SqliteReadPool implements ReadRunner {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  /** Reads sent through `ahead`, waiting: they go first. */
  private readonly aheadQueue: Pending[] = [];
  private closed = false;
  private lastStartError: Error | null = null;
  private held = false;

  constructor(
    private readonly file: string,
    readonly size: number,
  ) {
    // One thread from the start; the others when reads wait for one.
    this.addSlot();
  }

  /** The rows of one SELECT. */
  rows(statement: Statement, ahead = false): Promise<RawRows> {
    return this.run({ kind: 'rows', statement: bare(statement) }, ahead) as Promise<RawRows>;
  }

  pages(job: PagesJob, ahead = false): Promise<PagesResult> {
    const { parentIds, ids, count, top, rows } = job;
    return this.run({ kind: 'pages', parentIds, ids: bare(ids), count: count && bare(count), top, rows: bare(rows) }, ahead) as Promise<PagesResult>;
  }

  /**
   * The same pool, whose reads go before the others waiting for a thread: for small reads
   * (database.ts `aheadOf`, server/answer-budget.ts), so that a flood of large pages does not hold
   * them up. (Not an AsyncLocalStorage: on Node 20 one turns on promise hooks for the whole
   * process, and MQTT ingest lost 7–14 % of its QoS 1 rate to them.)
   */
  readonly ahead: ReadRunner = { rows: (s) => this.rows(s, true), pages: (j) => this.pages(j, true) };

  /** Reads running on a thread now, and reads waiting for one (the `cantho_sqlite_reads` gauge). */
  get load(): { running: number; waiting: number } {
    return { running: this.slots.filter((s) => s.busy).length, waiting: this.waiting };
  }

  /**
   * Starts no more reads until `release` (the running ones go on). The owner holds reads while it
   * needs the WAL free of them (database.ts): a read holds its snapshot in the WAL, and reads that
   * follow each other without a gap kept it from ever starting over (2 GB in 30 s under ingest
   * beside a client sending costly reads back to back).
   */
  hold(): void {
    this.held = true;
  }

  get isHeld(): boolean {
    return this.held;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.takeAll()) p.reject(new Error('the database is closed'));
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
  }

  private run(job: ReadJob, ahead: boolean): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    if (this.down) return Promise.reject(this.lastStartError ?? new Error('no SQLite read thread could start'));
    return new Promise((resolve, reject) => {
      (ahead ? this.aheadQueue : this.queue).push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private get waiting(): number {
    return this.aheadQueue.length + this.queue.length;
  }

  private takeAll(): Pending[] {
    return [...this.aheadQueue.splice(0), ...this.queue.splice(0)];
  }

  private addSlot(): void {
    const slot: Slot = { worker: null, busy: null, failedStarts: 0 };
    this.slots.push(slot);
    this.start(slot);
  }

  private dispatch(): void {
    this.startReads();
    // A running or waiting read keeps the process alive (an awaited promise alone does not); idle threads do not.
    for (const slot of this.slots) {
      if (slot.busy || this.waiting > 0) slot.worker?.ref();
      else slot.worker?.unref();
    }
  }

  private startReads(): void {
    if (this.held) return;
    if (this.waiting > 0 && this.slots.length < this.size && this.slots.every((s) => s.busy)) this.addSlot();
    for (const slot of this.slots) {
      if (this.waiting === 0) return;
      if (slot.busy || !slot.worker) continue;
      const p = (this.aheadQueue.shift() ?? this.queue.shift())!;
      slot.busy = p;
      slot.worker.postMessage(p.job);
    }
  }

  private start(slot: Slot): void {
    const worker = new Worker(new URL('./read-pool.worker.mjs', import.meta.url), { workerData: { file: this.file } });
    worker.unref();
    slot.worker = worker;
    let opened = false;
    worker.on('message', (m: ReadReply | { ready: true }) => {
      if ('ready' in m) {
        opened = true;
        slot.failedStarts = 0;
        return;
      }
      const p = slot.busy;
      if (!p) return;
      slot.busy = null;
      if ('error' in m) p.reject(m.error.deadline ? deadlinePassed() : Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(m.result);
      this.dispatch();
    });
    const fail = (e: Error) => {
      if (slot.worker !== worker) return; // 'exit' after 'error'
      slot.worker = null;
      slot.busy?.reject(e);
      slot.busy = null;
      if (this.closed) return;
      if (opened) {
        this.start(slot);
        this.dispatch();
        return;
      }
      // A thread that could not open the file will not on the next try either: no loop of starts.
      // While no thread runs, the reads waiting fail with its error; the next try comes after a
      // pause that doubles up to MAX_RESTART_PAUSE_MS.
      slot.failedStarts++;
      this.lastStartError = e;
      if (this.slots.every((s) => !s.worker)) for (const p of this.takeAll()) p.reject(e);
      const pause = Math.min(MAX_RESTART_PAUSE_MS, 250 * 2 ** (slot.failedStarts - 1));
      setTimeout(() => {
        if (this.closed) return;
        this.start(slot);
        this.dispatch();
      }, pause).unref();
    };
    worker.on('error', (e: unknown) => fail(e instanceof Error ? e : new Error(`a read thread failed: ${String(e)}`)));
    worker.on('exit', (code) => fail(new Error(`a read thread exited (code ${code})`)));
  }

  /** While no thread could start, reads fail at once instead of waiting. */
  private get down(): boolean {
    return this.slots.every((s) => !s.worker && s.failedStarts > 0);
  }
}

/**
 * Only the text and parameters cross to a thread: a compiled Kysely query also carries its whole
 * operation tree, which postMessage would copy with every read.
 */
function bare(st: Statement): Statement {
  return { sql: st.sql, parameters: st.parameters };
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
  constructor(private readonly pool: ReadRunner) {}
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
