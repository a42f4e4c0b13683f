import type { ServerResponse } from 'node:http';

/**
 * An amount shared by takers: request bodies take their bytes from one (body-budget.ts); each
 * client address's large GETs their turns, all of them their places to be built, and their answers
 * their bytes from others (answer-budget.ts). A taker that waits (`acquire`) is admitted in arrival
 * order once it fits beside those admitted; one larger than the whole budget goes in alone.
 */
export class Budget {
  private used = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(readonly capacity: number) {}

  /** Bytes admitted, and requests waiting (for /metrics). */
  get load(): { bytes: number; waiting: number } {
    return { bytes: this.used, waiting: this.waiting.length };
  }

  /** Resolves, once `bytes` fit (at most the capacity), with the function that gives them back. */
  async acquire(bytes: number): Promise<() => void> {
    const n = Math.min(bytes, this.capacity);
    if (this.waiting.length === 0 && this.used + n <= this.capacity) this.used += n;
    else await new Promise<void>((admit) => this.waiting.push({ bytes: n, admit }));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.give(n);
    };
  }

  /** Takes `bytes` at once, without waiting, if they fit beside those admitted (or `always`); false if they do not. */
  take(bytes: number, always = false): boolean {
    if (!always && this.used > 0 && this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  /** Gives back what `take` took. */
  give(bytes: number): void {
    this.used -= bytes;
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.capacity) {
      const w = this.waiting.shift()!;
      this.used += w.bytes;
      w.admit();
    }
  }
}

/**
 * Takes `n` from `budget` (waiting for it) for as long as the response `res` is open: resolves with
 * the function that gives it back sooner, or with null when the connection closed while it waited
 * (then nothing is held).
 */
export async function holdWhileOpen(res: ServerResponse, budget: Budget, n: number): Promise<(() => void) | null> {
  let gone = false;
  let release: (() => void) | null = null;
  res.once('close', () => {
    gone = true;
    release?.();
  });
  release = await budget.acquire(n);
  if (!gone) return release;
  release();
  return null;
}
