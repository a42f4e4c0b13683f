/**
 * A FIFO async mutex. SQLite has one writer; the raw better-sqlite3 fast path and Kysely's async
 * transactions share one connection, so every write transaction on SQLite takes this lock first.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /**
   * `onAcquire` runs each time the lock is taken, before the holder's work (housekeeping between
   * transactions); when it returns a promise, the holder's work waits for it.
   */
  constructor(private readonly onAcquire?: () => void | Promise<void>) {}

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((r) => {
      release = r;
    });
    const prev = this.tail;
    this.tail = next;
    await prev;
    try {
      const housekeeping = this.onAcquire?.();
      if (housekeeping) await housekeeping;
      return await fn();
    } finally {
      release();
    }
  }
}
