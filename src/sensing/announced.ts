/** A write in progress: every Observation id it makes is above `above`. */
export interface Writing {
  above: number;
}

interface Open extends Writing {
  done: boolean;
}

/**
 * How far Observation ids can serve as a cursor for what has been announced. Writes that overlap
 * (PostgreSQL's two commit lanes, an HTTP deep insert beside MQTT ingest) announce their
 * Observations in another order than their ids: the lane that took ids 3 and 4 may commit after the
 * one that took 5 and 6. `settled` is the largest id at or below which every Observation has been
 * announced already, or never will be: a live client cut off after an event resumes from the
 * database above the `settled` of that event, and misses nothing.
 *
 * It rests on ids being handed out in increasing order, and never twice (PostgreSQL's identity
 * sequence; SQLite's one writer at a time and AUTOINCREMENT, migration 005): a write that begins
 * after an id was announced makes only larger ones.
 */
export class AnnouncedIds {
  private max = 0;
  /** Writes in the order they began, from `head` on; those done are skipped and cut off now and then. */
  private readonly open: Open[] = [];
  private head = 0;
  /** The write whose Observations are being announced; its `above` has grown since it began. */
  private current: Writing | null = null;

  /** A write begins: what it makes is above everything announced so far. */
  begin(): Writing {
    const w: Open = { above: this.max, done: false };
    this.open.push(w);
    return w;
  }

  /** The write has announced what it made, or failed. */
  end(w: Writing): void {
    (w as Open).done = true;
    if (this.current === w) this.current = null;
    while (this.head < this.open.length && this.open[this.head]!.done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.open.length) {
      this.open.splice(0, this.head);
      this.head = 0;
    }
  }

  /** `id` is being announced by `w`, whose other Observations are all above it (they go in increasing order). */
  announcing(w: Writing, id: number): void {
    this.current = w;
    w.above = id;
    if (id > this.max) this.max = id;
  }

  /**
   * The smallest `above` of the writes in progress, and `max`. A write's `above` is what was
   * announced when it began, so it grows in the order they began, except for the one announcing
   * now: the first write in progress, or the second when the first is that one, holds the least.
   */
  get settled(): number {
    let s = this.max;
    for (let i = this.head; i < this.open.length; i++) {
      const w = this.open[i]!;
      if (w.done) continue;
      if (w.above < s) s = w.above;
      if (w !== this.current) break;
    }
    return s;
  }
}
