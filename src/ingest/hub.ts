import type { Logger } from 'pino';
import type { SensingService } from '../sensing/sensing.service.ts';
import { type Change, loadSnapshots, snapshotOf } from './changes.ts';
import { SerialQueue } from './serial.ts';

/** Where changes go to the other nodes: NATS when several nodes run, else nowhere. */
export interface Fanout {
  publish(batch: Change[]): void;
}

type Handler = (batch: Change[]) => void | Promise<void>;

/** Changes handed on at once (passInSlices), and how long a batch may hold the event loop before the next slice waits for a turn. */
const SLICE = 5_000;
const YIELD_MS = 10;

/**
 * Collects every change this node commits (HTTP, batch, CreateObservations, MQTT), fills in the
 * Observation snapshots that the writer did not hand over (one read per tick), and passes the
 * batch to `origin` handlers (the bridge publishes there, once per change in the whole cluster),
 * to the `deliver` handlers (embedded-broker subscriptions, live push) and to the fan-out, which
 * brings the other nodes' changes to `deliver` in turn: every node sees every change once.
 */
export class ChangeHub {
  private pending: Change[] = [];
  private scheduled = false;
  private readonly originHandlers: Handler[] = [];
  private readonly deliverHandlers: Handler[] = [];
  private fanout: Fanout | null = null;
  /** Changes flushed and not yet handed on (their backlog: waiting behind slower handlers). */
  readonly passing: SerialQueue;

  constructor(
    private readonly sensing: SensingService,
    private readonly logger: Logger,
  ) {
    this.passing = new SerialQueue((err) => this.logger.error({ err }, 'change notification failed'));
    sensing.onChange((entity, id, kind, observation, settled) => {
      const o = observation && entity === 'Observation' ? snapshotOf(observation) : undefined;
      this.pending.push({ e: entity, id, k: kind, o, w: settled !== undefined && settled < id - 1 ? settled : undefined });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  onOrigin(fn: Handler): void {
    this.originHandlers.push(fn);
  }

  onDeliver(fn: Handler): void {
    this.deliverHandlers.push(fn);
  }

  setFanout(f: Fanout | null): void {
    this.fanout = f;
  }

  /** Resolves when every change seen so far has been handed on. */
  async idle(): Promise<void> {
    while (this.scheduled || this.pending.length) await new Promise((r) => setImmediate(r));
    await this.passing.idle();
  }

  /** Delivery of this node's changes, and entry point of the other nodes' (from the fan-out). */
  deliver(batch: Change[]): void {
    for (const h of this.deliverHandlers) {
      try {
        const r = h(batch);
        if (r) r.catch((err) => this.logger.error({ err }, 'change delivery failed'));
      } catch (err) {
        this.logger.error({ err }, 'change delivery failed');
      }
    }
  }

  /** Hands the pending changes on, in order (live push resumes by Observation id). */
  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.passing.add(batch.length, () => this.passInSlices(batch));
  }

  /**
   * A large batch (a CreateObservations of up to 100,000) goes in slices of SLICE, and once a batch
   * has held the event loop for YIELD_MS the next slice waits for a turn of it, so that its delivery
   * (SSE writes, MQTT subscriptions) does not hold every socket at once. Yielding after every slice
   * instead let one slice through per turn: under the bridge's telemetry load, which commits
   * batches of 8,192, the backlog grew by 15,000 changes a second.
   */
  private async passInSlices(batch: Change[]): Promise<void> {
    if (batch.length <= SLICE) return this.pass(batch);
    let since = performance.now();
    for (let at = 0; at < batch.length; at += SLICE) {
      if (at > 0 && performance.now() - since > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      await this.pass(batch.slice(at, at + SLICE));
    }
  }

  private async pass(batch: Change[]): Promise<void> {
    const missing = batch.filter((c) => c.e === 'Observation' && c.k === 'create' && !c.o).map((c) => c.id);
    if (missing.length) {
      const snaps = await loadSnapshots(this.sensing.db, missing);
      for (const c of batch) if (c.e === 'Observation' && !c.o) c.o = snaps.get(c.id);
    }
    const ready = batch.filter((c) => c.e !== 'Observation' || c.k !== 'create' || c.o);
    for (const h of this.originHandlers) await h(ready);
    this.deliver(ready);
    this.fanout?.publish(ready);
  }
}
