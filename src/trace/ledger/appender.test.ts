import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppendItem, ItemResult } from './append-plan.ts';
import { LogAppender } from './appender.ts';
import type { LedgerStore } from './ledger-store.ts';

/** A store that records the batches it is given and appends nothing. */
function recordingStore(): { store: LedgerStore; batches: number[] } {
  const batches: number[] = [];
  const store = {
    async append(items: readonly AppendItem[]): Promise<ItemResult[]> {
      batches.push(items.length);
      return items.map(() => ({ kind: 'replay' }) as const);
    },
  } as unknown as LedgerStore;
  return { store, batches };
}

const item = (n: number) => ({ capture: { digest: `d${n}` }, orgCode: 'o', preErrors: [], events: [] }) as unknown as AppendItem;

test('group commit: captures announced as in preparation join the same transaction', async () => {
  const { store, batches } = recordingStore();
  // A wide gathering window: the test must not depend on how fast a loaded machine runs it (the
  // appender stops waiting as soon as nothing is announced any more).
  const a = new LogAppender(store, Date.now, 60_000);
  const ready = a.preparing();
  const first = a.append(item(1));
  await new Promise((r) => setImmediate(r));
  const second = a.append(item(2));
  ready();
  await Promise.all([first, second]);
  assert.deepEqual(batches, [2]);
});

test('group commit: a request whose body is still arriving does not hold commits back', async () => {
  const { store, batches } = recordingStore();
  const a = new LogAppender(store);
  const arriving = a.arriving(); // never completes, like a stalled upload
  const t0 = performance.now();
  await a.append(item(1));
  await a.append(item(2));
  assert.deepEqual(batches, [1, 1]);
  assert.ok(performance.now() - t0 < 1000);
  arriving();
});
