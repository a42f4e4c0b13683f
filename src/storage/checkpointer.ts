import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies committed WAL frames into each database file. */
const INTERVAL_MS = 250;
/** WAL pages (4 KiB) past which the owner is asked to restart the WAL between two transactions. */
const CATCH_UP_PAGES = 4096;
/** How long a truncation waits for readers to leave the WAL (the writes wait as long). */
const TRUNCATE_BUSY_MS = 1000;

let worker: Worker | null = null;
/** Open handles per file, and what to call when a file's WAL needs a restart. */
/** The WAL of a file past CATCH_UP_PAGES: its size, and the frames the last pass left uncopied (held by a reader). */
export interface LargeWal {
  pages: number;
  behind: number;
}

const files = new Map<string, { handles: number; onLarge: Set<(wal: LargeWal) => void> }>();
/** Truncations asked of the thread, by request number, and what to call with their outcome. */
const truncations = new Map<number, (ok: boolean) => void>();
let nextTruncation = 0;
/** Files being let go by the thread, by request number: resolved once it has closed its connection. */
const removals = new Map<number, () => void>();
let nextRemoval = 0;
/** How long an unregistration waits for the thread to close its connection. */
const REMOVE_WAIT_MS = 2000;

/**
 * Checkpoints a SQLite file's WAL on a background thread (one per process, shared by every open
 * file). The connection that writes then runs with `wal_autocheckpoint = 0`: SQLite's automatic
 * checkpoint would otherwise copy pages and sync the file inside a commit, on the event loop (in
 * a CPU profile of MQTT ingest, COMMIT's share of the event loop fell from 23% to 13% without it). Durability is unchanged: a checkpoint only
 * copies frames that are already committed in the WAL. Under sustained writing SQLite never finds
 * the WAL fully copied when a transaction begins, so it never starts it over by itself; past
 * CATCH_UP_PAGES the thread calls `onLarge` (LargeWal), and the owner restarts the WAL between two of its
 * transactions (only the frames since the last pass are left to copy). Returns the function that
 * unregisters; it resolves once the thread has closed its connection to the file (so that the
 * file can be removed: a pass on a removed file fails, and one failing while the process exits
 * aborts it, see checkpointer.worker.mjs), or after REMOVE_WAIT_MS.
 */
export function checkpointInBackground(file: string, onLarge: (wal: LargeWal) => void): () => Promise<void> {
  if (!worker) {
    const w = new Worker(new URL('./checkpointer.worker.mjs', import.meta.url), { workerData: { intervalMs: INTERVAL_MS, catchUpPages: CATCH_UP_PAGES, truncateBusyMs: TRUNCATE_BUSY_MS } });
    worker = w;
    w.on('message', (m: { large?: string; pages?: number; behind?: number; truncated?: number; ok?: boolean; removed?: number }) => {
      if (m.removed !== undefined) {
        removals.get(m.removed)?.();
        removals.delete(m.removed);
      }
      if (m.large !== undefined) for (const f of files.get(m.large)?.onLarge ?? []) f({ pages: m.pages ?? 0, behind: m.behind ?? 0 });
      if (m.truncated !== undefined) {
        truncations.get(m.truncated)?.(m.ok === true);
        truncations.delete(m.truncated);
      }
    });
    w.on('error', () => {
      if (worker === w) worker = null;
      for (const done of truncations.values()) done(false);
      truncations.clear();
      for (const done of removals.values()) done();
      removals.clear();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again, and a
    // referenced worker keeps the process alive (a CLI command would never exit).
    w.unref();
  }
  const entry = files.get(file) ?? { handles: 0, onLarge: new Set() };
  entry.handles++;
  entry.onLarge.add(onLarge);
  files.set(file, entry);
  worker.postMessage({ add: file });
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    entry.onLarge.delete(onLarge);
    if (--entry.handles > 0) return;
    files.delete(file);
    const w = worker;
    if (!w) return;
    const id = nextRemoval++;
    const removed = new Promise<void>((resolve) => {
      // A timer of its own keeps the process alive until the thread answers (the thread does not).
      const timer = setTimeout(resolve, REMOVE_WAIT_MS);
      removals.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    w.postMessage({ remove: file, id });
    await removed;
  };
}

/**
 * Copies what is left of a file's WAL into the database and cuts the WAL file to zero bytes, on the
 * checkpointer thread (`wal_checkpoint(TRUNCATE)`). The caller holds the write lock, so nothing
 * writes meanwhile: writes wait for it without holding the event loop, as they would for a
 * commit. Resolves false when the thread could not (a reader still in the WAL after its busy
 * timeout, the file not registered, or no thread).
 */
export function truncateWal(file: string): Promise<boolean> {
  if (!worker || !files.has(file)) return Promise.resolve(false);
  const id = nextTruncation++;
  const w = worker;
  return new Promise((resolve) => {
    truncations.set(id, resolve);
    w.postMessage({ truncate: file, id });
  });
}
