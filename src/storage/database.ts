import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkpointInBackground, truncateWal } from './checkpointer.ts';
import { Mutex } from './mutex.ts';
import { ReadPoolDialect, type ReadRunner, SqliteReadPool } from './read-pool.ts';

/** cache_size (negative: KiB) of the writing connection when read threads serve the reads (see openDatabase). */
export const WRITER_CACHE_SIZE = -16384;

export type Dialect = 'sqlite' | 'postgres';

/**
 * An open database: the Kysely instance for ordinary queries, plus the raw driver for the few hot
 * paths (bulk observation insert) where per-row builder overhead would dominate.
 */
export interface Database {
  readonly dialect: Dialect;
  // biome-ignore lint/suspicious/noExplicitAny: the schema is described by the entity model, not Kysely types
  readonly kysely: Kysely<any>;
  readonly sqlite?: BetterSqlite3.Database;
  readonly pg?: pg.Pool;
  /**
   * Where the API's reads run, when not on the connection that writes (`readerOf`). PostgreSQL with
   * OpenOptions.readTimeoutMs: a second pool, whose statements the server cancels past that time
   * (SQLSTATE 57014). SQLite with OpenOptions.readThreads: read-only connections on worker threads
   * (read-pool.ts), so a costly read does not hold the event loop. Writes never run here.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see kysely
  readonly reads?: { readonly kysely: Kysely<any>; readonly pg?: pg.Pool; readonly sqlite?: ReadRunner };
  /** SQLite with read threads: the pool itself (its load, holding reads for a WAL restart). */
  readonly readPool?: SqliteReadPool;
  /** The same database for small reads (`aheadOf`). */
  readonly ahead?: Database;
  /** Serialises write transactions on SQLite (a no-op queue on PostgreSQL is not used). */
  readonly writeLock: Mutex;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite synchronous pragma: NORMAL (default; survives process kill in WAL mode) or FULL (power loss). */
  sqliteSynchronous?: 'NORMAL' | 'FULL';
  /** PostgreSQL schema to use (tests isolate themselves in one). */
  pgSchema?: string;
  pgPoolSize?: number;
  /** PostgreSQL: `statement_timeout` of the read pool (Database.reads), in ms; 0 or absent: no read pool. */
  readTimeoutMs?: number;
  /** Called with the raw SQLite handle right after opening (geo functions register here). */
  onSqliteOpen?: (db: BetterSqlite3.Database) => void;
  /**
   * SQLite file (not `:memory:`): worker threads for API reads (Database.reads), each with its own
   * read-only connection and the SQL functions of sqlite-extensions.ts; 0 or absent: reads run on
   * the writing connection, on the event loop.
   */
  readThreads?: number;
}

/** WAL pages (4 KiB; 64 MiB) past which reads on threads wait for the WAL to restart (openDatabase). */
const HOLD_READS_PAGES = 16_384;
/** The size the WAL file is cut back to after a restart (journal_size_limit), and past which the checkpointer thread cuts it instead. */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** WAL pages a background pass may leave uncopied and still count as caught up. */
const CAUGHT_UP_PAGES = 256;
/** The longest reads are held for a WAL restart, and the pause before holding them again after that. */
const HOLD_MAX_MS = 10_000;
const HOLD_PAUSE_MS = 60_000;

// int8 (ids, epoch ms) as JS numbers: both stay far below 2^53. JSON columns as raw text so that
// both dialects hand the same shape to the row mappers.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 3802 || oid === 114) return (v: string) => v;
    // biome-ignore lint/suspicious/noExplicitAny: pg's own typing of the fallback
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

/** Opens SQLite (a file path, `sqlite:` URL or `:memory:`) or PostgreSQL (`postgres://`). */
export function openDatabase(url: string, opts: OpenOptions = {}): Database {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const poolOf = (extra: string) =>
      new pg.Pool({
        connectionString: url,
        max: opts.pgPoolSize ?? 10,
        types: pgTypes,
        // JIT compilation makes planner-heavy filters (geo) take seconds instead of milliseconds.
        options: `-c jit=off${opts.pgSchema ? ` -c search_path=${opts.pgSchema},public` : ''}${extra}`,
      });
    const pool = poolOf('');
    const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
    const timeout = opts.readTimeoutMs ?? 0;
    const readPool = timeout > 0 ? poolOf(` -c statement_timeout=${Math.floor(timeout)}`) : null;
    const reads = readPool ? { pg: readPool, kysely: new Kysely({ dialect: new PostgresDialect({ pool: readPool }) }) } : undefined;
    const close = async () => {
      await reads?.kysely.destroy();
      await kysely.destroy();
    };
    return { dialect: 'postgres', kysely, pg: pool, reads, writeLock: new Mutex(), close };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  // Durability by default: WAL + synchronous=NORMAL loses nothing committed when the process is
  // killed; FULL also survives power loss (https://www.sqlite.org/pragma.html#pragma_synchronous).
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const pool = file !== ':memory:' && (opts.readThreads ?? 0) > 0 ? new SqliteReadPool(resolve(file), opts.readThreads!) : null;
  // With read threads this connection mostly writes, and a small cache serves that (the insertion
  // points of the indexes). It matters when the checkpointer thread cuts a large WAL: the new WAL
  // header makes this connection drop its whole cache at its next statement, on the event loop.
  // Dropping and refilling 64 MiB held a commit for 730 ms on one machine (free, then page faults);
  // 16 MiB took about 100 ms, with the same ingest rate.
  raw.pragma(`cache_size = ${pool ? WRITER_CACHE_SIZE : -65536}`);
  // Checkpoints run on a background thread, not inside commits (checkpointer.ts); after a reset
  // the WAL file is cut back to 64 MiB. When the WAL has grown past what the background passes
  // can copy under sustained writing, the next holder of the write lock restarts it, between two
  // transactions, once the last pass has copied it all and no read thread is reading: the restart
  // then has only the frames since that pass to copy, on the event loop. A read holds its snapshot
  // in the WAL, so reads that follow each other without a gap would keep it from ever being copied
  // and restarted: past HOLD_READS_PAGES new reads wait until the WAL has restarted.
  let stopCheckpoints = async () => {};
  let restartDue = false;
  // A reader outside this process (the sqlite3 shell, a CLI command) could hold the WAL for as
  // long as it likes: a hold that brought no restart within HOLD_MAX_MS ends, and the next waits.
  let holdFrom = 0;
  let holdTimer: NodeJS.Timeout | undefined;
  const writeLock = new Mutex((): Promise<void> | undefined => {
    if (!restartDue || pool?.load.running) return undefined;
    restartDue = false;
    // A WAL file grown far past the limit (long reads held it) would be cut back in the first
    // commit after the restart, on the event loop: 244 ms for 914 MiB. The checkpointer thread
    // restarts and cuts it instead, while the writes wait here for it, the event loop free.
    if ((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) > WAL_LIMIT_BYTES) {
      return truncateWal(resolve(file)).then(() => pool?.release());
    }
    // Only the background thread's pass can still be in the way: wait for it 20 ms at most.
    raw.pragma('busy_timeout = 20');
    try {
      raw.pragma('wal_checkpoint(RESTART)');
    } catch {
      // busy: the background thread asks again
    } finally {
      raw.pragma('busy_timeout = 5000');
      pool?.release();
    }
    return undefined;
  });
  if (file !== ':memory:') {
    raw.pragma('wal_autocheckpoint = 0');
    raw.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    stopCheckpoints = checkpointInBackground(resolve(file), (wal) => {
      if (pool && wal.pages >= HOLD_READS_PAGES && !pool.isHeld && Date.now() >= holdFrom) {
        pool.hold();
        clearTimeout(holdTimer);
        holdTimer = setTimeout(() => {
          if (!pool.isHeld) return;
          pool.release();
          holdFrom = Date.now() + HOLD_PAUSE_MS;
        }, HOLD_MAX_MS).unref();
      }
      if (wal.behind > CAUGHT_UP_PAGES) return;
      restartDue = true;
      // Held reads wait for the restart: take the write lock now rather than at the next write.
      if (pool?.isHeld) void writeLock.run(() => {});
    });
  }
  opts.onSqliteOpen?.(raw);
  const kysely = new Kysely({ dialect: new SqliteDialect({ database: raw }) });
  const readsOn = (runner: ReadRunner) => ({ kysely: new Kysely({ dialect: new ReadPoolDialect(runner) }), sqlite: runner });
  const reads = pool ? readsOn(pool) : undefined;
  const close = async () => {
    clearTimeout(holdTimer);
    await pool?.close();
    await stopCheckpoints();
    await kysely.destroy();
    // Kysely closes the connection only if it ever used it.
    if (raw.open) raw.close();
  };
  const db: Database = { dialect: 'sqlite', kysely, sqlite: raw, reads, readPool: pool ?? undefined, writeLock, close };
  return pool ? { ...db, ahead: { ...db, reads: readsOn(pool.ahead) } } : db;
}

/**
 * `db` for a small read (server/answer-budget.ts: a page of at most 100 entities without `$expand`):
 * on SQLite's read threads its statements go before the others waiting, so that a flood of large
 * reads does not hold it up (SqliteReadPool.ahead). Elsewhere `db` itself.
 */
export function aheadOf(db: Database): Database {
  return db.ahead ?? db;
}

/** Where API reads run: PostgreSQL's pool whose statements time out, or SQLite's read threads, when there are. */
// biome-ignore lint/suspicious/noExplicitAny: see Database.kysely
export function readerOf(db: Database): Kysely<any> {
  return db.reads?.kysely ?? db.kysely;
}

export interface WriteTxOptions {
  /**
   * SQLite: keep the statement journal in memory. A multi-row INSERT inside a transaction journals
   * the pages it changes (for a statement rollback), and past 64 KiB SQLite spills that journal to
   * a temporary file: every group commit of a few hundred observations did, a fifth of its time
   * (2.8 against 2.2 ms a commit). Only for transactions whose statements touch a bounded number of
   * pages (the group commit's inserts): a DELETE cascading over millions of rows would hold them all
   * in memory, and so would a sort of millions of rows, so everything else keeps temporary files.
   */
  readonly statementJournalInMemory?: boolean;
}

/**
 * A turn of the event loop inside a long SQLite write transaction (a large insert or cascading
 * delete, in slices), where that is safe: when the API's reads run on read threads, which see
 * committed data only. With reads on the writing connection (no read threads) a read would see the
 * transaction half done, so then there is no turn and the write holds the loop as a whole.
 */
export async function turnInsideWrite(db: Database): Promise<void> {
  if (db.reads?.sqlite) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `fn` in one write transaction. On SQLite the write lock is held, so raw statements on
 * `db.sqlite` inside `fn` join the same transaction safely.
 */
// biome-ignore lint/suspicious/noExplicitAny: see Database.kysely
export async function writeTx<T>(db: Database, fn: (trx: Kysely<any>) => Promise<T>, opts: WriteTxOptions = {}): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().execute(fn);
  const raw = db.sqlite!;
  if (!opts.statementJournalInMemory) return db.writeLock.run(() => db.kysely.transaction().execute(fn));
  return db.writeLock.run(async () => {
    // Read when the transaction's first write begins (sqlite3PagerBegin), so set before BEGIN.
    raw.pragma('temp_store = MEMORY');
    try {
      return await db.kysely.transaction().execute(fn);
    } finally {
      raw.pragma('temp_store = DEFAULT');
    }
  });
}
