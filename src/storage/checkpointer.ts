import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies committed WAL frames into each database file. */
const INTERVAL_MS = 250;
/** WAL pages (4 KiB) past which the owner is asked to restart the WAL between two transactions. */
const CATCH_UP_PAGES = 4096;

let worker: Worker | null = null;
/** Open handles per file, and what to call when a file's WAL needs a restart. */
/** The WAL of a file past CATCH_UP_PAGES: its size, and the frames the last pass left uncopied (held by a reader). */
export interface LargeWal {
  pages: number;
  behind: number;
}

const files = new Map<string, { handles: number; onLarge: Set<(wal: LargeWal) => void> }>();

/**
 * Checkpoints a SQLite file's WAL on a background thread (one per process, shared by every open
 * file). The connection that writes then runs with `wal_autocheckpoint = 0`: SQLite's automatic
 * checkpoint would otherwise copy pages and sync the file inside a commit, on the event loop (in
 * a CPU profile of MQTT ingest, COMMIT's share of the event loop fell from 23% to 13% without it). Durability is unchanged: a checkpoint only
 * copies frames that are already committed in the WAL. Under sustained writing SQLite never finds
 * the WAL fully copied when a transaction begins, so it never starts it over by itself; past
 * CATCH_UP_PAGES the thread calls `onLarge` (LargeWal), and the owner restarts the WAL between two of its
 * transactions (only the frames since the last pass are left to copy). Returns the function that
 * unregisters.
 */
export function checkpointInBackground(file: string, onLarge: (wal: LargeWal) => void): () => void {
  if (!worker) {
    worker = new Worker(new URL('./checkpointer.worker.mjs', import.meta.url), { workerData: { intervalMs: INTERVAL_MS, catchUpPages: CATCH_UP_PAGES } });
    worker.on('message', (m: { large?: string; pages?: number; behind?: number }) => {
      if (m.large !== undefined) for (const f of files.get(m.large)?.onLarge ?? []) f({ pages: m.pages ?? 0, behind: m.behind ?? 0 });
    });
    worker.on('error', () => {
      worker = null;
    });
    // After the listeners: adding a 'message' listener refs the worker's port again, and a
    // referenced worker keeps the process alive (a CLI command would never exit).
    worker.unref();
  }
  const entry = files.get(file) ?? { handles: 0, onLarge: new Set() };
  entry.handles++;
  entry.onLarge.add(onLarge);
  files.set(file, entry);
  worker.postMessage({ add: file });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    entry.onLarge.delete(onLarge);
    if (--entry.handles > 0) return;
    files.delete(file);
    worker?.postMessage({ remove: file });
  };
}
