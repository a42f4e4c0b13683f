/**
 * One read thread of read-pool.ts: a read-only connection to the file with the SQL functions the
 * planner emits (the read deadline; geometry and case mapping), answering one job at a time.
 * It starts with only what every read needs; the geometry functions (JSTS, a fifth of a second to
 * load) are registered before the first statement that calls one of the planner's functions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { isDeadlinePassed, registerDeadlineFunction } from './deadline-function.ts';
import { buffersOf, runPages, runRows } from './read-jobs.ts';
import type { PagesJob, RawRows, ReadJob, ReadReply } from './read-pool.ts';

const { file } = workerData as { file: string };
const db = (() => {
  try {
    return new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    // A plain Error: the main thread receives better-sqlite3's own error class without its message.
    throw Object.assign(new Error(`a SQLite read thread cannot open ${file}: ${(e as Error).message}`), { code: (e as { code?: string }).code });
  }
})();
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -32768');
registerDeadlineFunction(db);
// The file is open: a thread that ends from now on did not fail to start (read-pool.ts).
parentPort!.postMessage({ ready: true });

/** The planner's other SQL functions (sensing/geo/sqlite-functions.ts). */
const NEEDS_FUNCTIONS = /\bcantho_(?:st_|geo_|lower|upper)/;
let functions: Promise<void> | null = null;
const withFunctions = (text: string): Promise<void> | null => {
  if (!NEEDS_FUNCTIONS.test(text)) return null;
  functions ??= import('../sensing/geo/sqlite-functions.ts').then((m) => m.registerGeoFunctions(db));
  return functions;
};

// No statement cache: the deadline is written into each read's SQL, so no two texts repeat.
const prepare = (text: string) => db.prepare(text);

/** Several statements see one snapshot. */
const inSnapshot = db.transaction((job: PagesJob) => runPages(prepare, job));

/** The reply to a job, and the rows whose buffers it moves. */
function answer(job: ReadJob): { reply: ReadReply; packed?: RawRows } {
  try {
    if (job.kind === 'rows') {
      const rows = runRows(prepare, job.statement);
      return { reply: { result: rows }, packed: rows };
    }
    const pages = inSnapshot.deferred(job);
    return { reply: { result: pages }, packed: pages.rows };
  } catch (e) {
    const err = e as { message?: string; code?: string };
    return { reply: { error: { message: String(err?.message ?? e), code: err?.code, deadline: isDeadlinePassed(e) } } };
  }
}

parentPort!.on('message', async (job: ReadJob) => {
  await withFunctions(job.kind === 'rows' ? job.statement.sql : job.ids.sql + job.rows.sql + (job.count?.sql ?? ''));
  const { reply, packed } = answer(job);
  parentPort!.postMessage(reply, packed ? buffersOf(packed) : []);
});
