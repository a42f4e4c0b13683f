import type { AppendItem, ItemResult } from './append-plan.ts';
import type { LedgerStore } from './ledger-store.ts';

interface Waiting {
  readonly item: AppendItem;
  resolve(r: ItemResult): void;
  reject(e: unknown): void;
}

/** Most events written by one append transaction. */
const MAX_BATCH_EVENTS = 20_000;
/** Longest wait for announced captures before committing, and the batch size that stops it. */
const GATHER_MS = 5;
const MAX_WAITERS = 512;
/**
 * Longest wait for requests whose body is still arriving, or for more captures when fewer are
 * queued than the previous transaction appended: a commit per straggler would cost a transaction.
 */
const STRAGGLER_MS = 1;

/**
 * Group commit for the log: captures that arrive while a transaction is running wait and are then
 * appended together in the next one. One transaction per burst instead of one per request is what
 * lets single-event captures go faster than the database's commit rate, and it keeps leaf indexes
 * dense because only this queue (under the store's lock) assigns them.
 */
export class LogAppender {
  private queue: Waiting[] = [];
  private running = false;
  private inPreparation = 0;
  private inArrival = 0;
  /** Captures in the previous transaction (the recent concurrency). */
  private lastBatch = 0;
  private readonly listeners: ((size: number) => void)[] = [];

  /** `gatherMs`: the longest wait for announced captures (GATHER_MS; tests on a loaded machine set more). */
  constructor(
    private readonly store: LedgerStore,
    private readonly now: () => number = Date.now,
    private readonly gatherMs = GATHER_MS,
  ) {}

  /** Appends one capture; resolves once it is committed. */
  append(item: AppendItem): Promise<ItemResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Called after each committed transaction with the number of events it appended. */
  onAppended(fn: (count: number) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Announces a capture that will call {@link append} soon (or give up); returns the function to
   * call when it does either. The appender waits briefly for announced captures before committing.
   */
  preparing(): () => void {
    return this.hold('inPreparation');
  }

  /**
   * Announces a capture request whose body is still arriving; returns the function to call once
   * it has arrived (or the request ended). Such a request holds a commit back for STRAGGLER_MS at
   * most: a slow upload must not delay everyone else's commits.
   */
  arriving(): () => void {
    return this.hold('inArrival');
  }

  /** Counts one more in `counter`; returns the function that takes it back, once however often it is called. */
  private hold(counter: 'inPreparation' | 'inArrival'): () => void {
    this[counter]++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this[counter]--;
    };
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Let captures that are already being verified and parsed reach the queue first (they
        // announced themselves with preparing()), for at most gatherMs: one commit per burst
        // instead of one per request, and no waiting at all when nothing else is in flight. Wait
        // up to STRAGGLER_MS for requests still arriving (arriving()), and for more captures when
        // the previous transaction held more than are queued now (under steady load the rest are
        // on their way: their clients were just answered).
        const t0 = performance.now();
        let waited = 0;
        do {
          await new Promise((r) => setImmediate(r));
          waited = performance.now() - t0;
        } while (
          this.queue.length < MAX_WAITERS &&
          waited < this.gatherMs &&
          (this.inPreparation > 0 || ((this.inArrival > 0 || this.queue.length < this.lastBatch) && waited < STRAGGLER_MS))
        );
        let events = 0;
        let n = 0;
        while (n < this.queue.length && (n === 0 || events + this.queue[n]!.item.events.length <= MAX_BATCH_EVENTS)) {
          events += this.queue[n]!.item.events.length;
          n++;
        }
        const batch = this.queue.splice(0, n);
        this.lastBatch = n;
        try {
          const results = await this.store.append(
            batch.map((w) => w.item),
            this.now(),
          );
          for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
          const appended = results.reduce((s, r) => s + (r.kind === 'done' ? r.events.length : 0), 0);
          if (appended > 0) for (const l of this.listeners) l(appended);
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
