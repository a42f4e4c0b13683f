import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { PreparedCapture } from './prepare.ts';
import { type PrepareRequest, prepareText } from './prepare-text.ts';

type Result = PreparedCapture;
interface Slot {
  readonly worker: Worker;
  busy: number;
}

/**
 * Runs capture preparation (UTF-8 decode, JSON parse, EPCIS validation, CBV Event Hash IDs,
 * index fields) on `size` worker threads, least-busy first; with size 0 it runs inline. Only the
 * cheap, ordered part of a capture (signature check, leaf hashing, SQL) stays on the main thread,
 * so capture throughput grows with cores instead of being bound to one.
 */
export class PreparePool {
  private slots: Slot[] = [];
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: unknown) => void; slot: Slot }>();

  constructor(private readonly size: number) {}

  async run(req: PrepareRequest): Promise<Result> {
    if (this.size === 0) return prepareText(req);
    if (this.slots.length === 0) this.start();
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = ++this.seq;
    slot.busy++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ id, ...req });
    });
  }

  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(new URL('./prepare.worker.mjs', import.meta.url));
      worker.unref();
      const slot: Slot = { worker, busy: 0 };
      worker.on('message', (m: { id: number; ok: boolean; result?: Result; error?: { code: string; message: string; details?: unknown } }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.slot.busy--;
        if (m.ok) p.resolve(m.result!);
        else p.reject(new AppError(m.error!.code as ErrorCode, m.error!.message, m.error!.details));
      });
      worker.on('error', (err) => this.fail(slot, err));
      worker.on('exit', (code) => this.fail(slot, new Error(`prepare worker exited with code ${code}`)));
      this.slots.push(slot);
    }
  }

  /** A crashed worker fails its requests and is replaced on the next run. */
  private fail(slot: Slot, err: unknown): void {
    this.slots = this.slots.filter((s) => s !== slot);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(err);
    }
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
