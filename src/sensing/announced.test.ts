import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnnouncedIds, type Writing } from './announced.ts';

/** A tiny seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Overlapping writes as a database makes them: each begins, takes its ids from one increasing
 * counter when it inserts, commits in any order and announces its ids in increasing order.
 */
function simulate(seed: number, steps: number, overlap: number) {
  const rnd = random(seed);
  const ids = new AnnouncedIds();
  let next = 1;
  const running: { w: Writing; ids: number[] | null }[] = [];
  const announced: { id: number; settled: number }[] = [];
  for (let i = 0; i < steps; i++) {
    const r = rnd();
    if (running.length < overlap && r < 0.4) running.push({ w: ids.begin(), ids: null });
    else if (r < 0.7) {
      const inserting = running.filter((x) => x.ids === null);
      const x = inserting[Math.floor(rnd() * inserting.length)];
      if (x) x.ids = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => next++);
    } else if (running.length) {
      const at = Math.floor(rnd() * running.length);
      const x = running[at]!;
      running.splice(at, 1);
      if (x.ids === null || rnd() < 0.1) {
        ids.end(x.w); // failed, or made nothing: its ids (if any) never come
        continue;
      }
      for (const id of x.ids) {
        ids.announcing(x.w, id);
        announced.push({ id, settled: ids.settled });
      }
      ids.end(x.w);
    }
  }
  return { announced, ids };
}

test('no id at or below an event\'s settled id is announced after it, however writes overlap', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const { announced } = simulate(seed, 400, 1 + (seed % 6));
    for (let k = 0; k < announced.length; k++) {
      const { id, settled } = announced[k]!;
      assert.ok(settled <= id, `seed ${seed}: settled ${settled} above the event's own id ${id}`);
      const later = announced.slice(k + 1).find((e) => e.id <= settled);
      assert.equal(later, undefined, `seed ${seed}: ${later?.id} came after ${id}, whose settled id is ${settled}`);
    }
  }
});

test('writes one at a time leave nothing unsettled below each event (plain cursors); overlapping ones do', () => {
  const one = simulate(7, 2000, 1);
  assert.ok(one.announced.length > 100);
  for (const e of one.announced) assert.ok(e.settled >= e.id - 1, `${e.id}: ${e.settled}`);
  const many = simulate(7, 2000, 4);
  assert.ok(many.announced.some((e) => e.settled < e.id - 1), 'overlapping writes hold the settled id back');
  // Settled catches up once nothing is in progress.
  const ids = new AnnouncedIds();
  const a = ids.begin();
  const b = ids.begin();
  ids.announcing(b, 5);
  assert.equal(ids.settled, 0, 'a began before 5 and may still announce lower ids');
  ids.end(b);
  ids.announcing(a, 3);
  assert.equal(ids.settled, 3);
  ids.end(a);
  assert.equal(ids.settled, 5);
});

test('hundreds of writes in progress: settled is the least of them (found without a scan), and the queue is cut back', () => {
  const ids = new AnnouncedIds();
  const open: Writing[] = [];
  let id = 0;
  for (let i = 0; i < 20_000; i++) {
    open.push(ids.begin());
    if (open.length < 500) continue;
    // Finish the oldest or, now and then, a younger one first (the other lane).
    const w = open.splice(i % 7 === 0 ? 3 : 0, 1)[0]!;
    ids.announcing(w, ++id);
    assert.equal(ids.settled, Math.min(id, ...open.map((x) => x.above)));
    ids.end(w);
    assert.equal(ids.settled, Math.min(id, ...open.map((x) => x.above)));
  }
  assert.ok((ids as unknown as { open: unknown[] }).open.length < 2 * 1024 + 500);
});
