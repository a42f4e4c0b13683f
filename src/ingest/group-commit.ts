import type { Database } from '../storage/database.ts';
import { writeTx } from '../storage/database.ts';
import type { ObservationInput, ObservationWriter } from '../sensing/write/observation-writer.ts';
import type { IngestMetrics } from './metrics.ts';

/** One submission: written all or nothing, answered with its ids once committed. */
interface Unit {
  readonly items: ObservationInput[];
  readonly resolve: (ids: number[]) => void;
  readonly reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Observations per transaction at most. */
  readonly maxBatch?: number;
  /** Observations queued at most; submitters beyond it wait (back-pressure, bounded memory). */
  readonly maxQueued?: number;
  /** Transactions in flight at once (default: 2 on PostgreSQL, 1 on SQLite, which has one writer). */
  readonly lanes?: number;
}

/** Under steady load, a queue smaller than this waits up to GATHER_MS for more (see schedule). */
const MIN_GROUP = 256;
const GATHER_MS = 2;

/** PostgreSQL errors that a retry of the same transaction resolves (deadlock, serialization). */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Group commit in front of the ObservationWriter: submissions from many publishers (MQTT clients,
 * CreateObservations) that arrive while a transaction runs are written together in the next one,
 * so the cost of a commit (fsync on SQLite, a round trip on PostgreSQL) is shared. Each submission
 * resolves only after its transaction committed: that is when MQTT sends PUBACK and HTTP 201.
 *
 * A failing group is retried one submission at a time, so one bad submission (a Datastream deleted
 * a moment ago) fails alone. The queue is bounded: `submit` waits while it is full.
 *
 * On PostgreSQL two transactions run at once (the database works on one while Node prepares the
 * next, and both cores are used); submissions are still answered in the order they arrived, so an
 * MQTT client gets its PUBACKs in order (MQTT 3.1.1 §4.6).
 */
export class GroupCommit {
  private readonly queue: Unit[] = [];
  private queued = 0;
  private inFlight = 0;
  private scheduled = false;
  private lastCommitEnd = Number.NEGATIVE_INFINITY;
  /** Settles when every group taken so far has been answered: the next group answers after it. */
  private answered: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly spaceWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly lanes: number;

  constructor(
    private readonly db: Database,
    private readonly writer: ObservationWriter,
    private readonly metrics: IngestMetrics,
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 8192;
    this.maxQueued = opts.maxQueued ?? 65536;
    this.lanes = opts.lanes ?? (db.dialect === 'postgres' ? 2 : 1);
  }

  /** Observations waiting for a transaction. */
  get depth(): number {
    return this.queued;
  }

  /** Queues one all-or-nothing submission; resolves with its ids in input order after commit. */
  async submit(items: ObservationInput[]): Promise<number[]> {
    if (items.length === 0) return [];
    while (this.queued > 0 && this.queued + items.length > this.maxQueued && !this.closed) {
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
    if (this.closed) throw new Error('the ingest writer is closed');
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      this.metrics.queueDepth.set(this.queued);
      this.schedule();
    });
  }

  /**
   * Starts the next transactions once the event loop has read what the sockets hold: the callbacks
   * of one loop turn (every connection with data) run before setImmediate, so their messages share
   * one commit. Starting at the first message instead gave commits of about 16 observations under
   * QoS 1 load, where the fixed cost of a transaction made up most of the CPU per message.
   *
   * Under steady load (a commit ended less than GATHER_MS ago) a small queue waits up to GATHER_MS
   * for more: a commit's cost grows with the pages it touches more than with its rows, and paced
   * publishers (a few messages per loop turn) otherwise got commits so small that the writer fell
   * behind at half the rate it sustains for windowed publishers. When idle, nothing waits.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.pump();
    };
    if (this.queued < MIN_GROUP && performance.now() - this.lastCommitEnd < GATHER_MS) setTimeout(run, GATHER_MS);
    else setImmediate(run);
  }

  /** Stops taking submissions and resolves when everything queued is written. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.spaceWaiters.splice(0)) w();
    if (this.inFlight === 0 && this.queue.length === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Starts transactions for what is queued, up to `lanes` at once. */
  private pump(): void {
    while (this.inFlight < this.lanes && this.queue.length > 0) {
      let k = 0;
      let n = 0;
      while (k < this.queue.length && (k === 0 || n + this.queue[k]!.items.length <= this.maxBatch)) n += this.queue[k++]!.items.length;
      // One splice per group: shift() per unit moves the whole array each time, which behind a
      // bridge (65,536 units queued) was 21 % of the main thread in a CPU profile.
      const group = this.queue.splice(0, k);
      this.queued -= n;
      this.metrics.queueDepth.set(this.queued);
      // Room again: let waiting submitters in while this group is written.
      for (const w of this.spaceWaiters.splice(0)) w();
      this.inFlight++;
      const outcomes = this.writeGroup(group);
      const before = this.answered;
      this.answered = (async () => {
        const settle = await outcomes;
        await before;
        settle();
      })();
      void outcomes.then(() => {
        this.inFlight--;
        this.lastCommitEnd = performance.now();
        this.schedule();
        if (this.inFlight === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /** Writes a group; resolves (never rejects) with the function that answers its submitters. */
  private async writeGroup(group: Unit[]): Promise<() => void> {
    const all = group.length === 1 ? group[0]!.items : group.flatMap((u) => u.items);
    try {
      const ids = await this.commit(all);
      this.metrics.committed.inc(all.length);
      return () => {
        let at = 0;
        for (const u of group) {
          u.resolve(ids.slice(at, at + u.items.length));
          at += u.items.length;
        }
      };
    } catch (e) {
      if (group.length === 1) return () => group[0]!.reject(e);
      // Find the culprit(s): each submission alone, in order.
      const answers: (() => void)[] = [];
      for (const u of group) {
        try {
          const ids = await this.commit(u.items);
          this.metrics.committed.inc(u.items.length);
          answers.push(() => u.resolve(ids));
        } catch (err) {
          answers.push(() => u.reject(err));
        }
      }
      return () => {
        for (const a of answers) a();
      };
    }
  }

  /** One transaction (the writer orders rows by stream, so concurrent writers lock alike). */
  private async commit(rows: ObservationInput[]): Promise<number[]> {
    const derivedFoi = rows.map((o) => o.featureOfInterestId === undefined);
    for (let attempt = 0; ; attempt++) {
      const end = this.metrics.commitSeconds.startTimer();
      try {
        const ids = await writeTx(this.db, async (trx) => {
          // Resolve the FeaturesOfInterest first so the ids reach the change listeners (§14.2.2
          // topics `FeaturesOfInterest(id)/Observations`).
          const fois = await this.writer.fois.resolve(trx, rows);
          for (let i = 0; i < rows.length; i++) rows[i]!.featureOfInterestId = fois[i];
          return this.writer.writeIn(trx, rows);
        }, { statementJournalInMemory: true });
        end();
        this.metrics.batchSize.observe(rows.length);
        return ids;
      } catch (e) {
        end();
        // A rolled-back transaction may have made a FeatureOfInterest that is gone now.
        for (let i = 0; i < rows.length; i++) if (derivedFoi[i]) rows[i]!.featureOfInterestId = undefined;
        this.writer.fois.clear();
        if (attempt < 4 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
        throw e;
      }
    }
  }
}
