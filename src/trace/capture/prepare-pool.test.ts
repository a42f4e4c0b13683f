import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { sampleDocument } from '../testing.ts';
import { PreparePool } from './prepare-pool.ts';
import { prepareText } from './prepare-text.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

test('the worker pool prepares exactly like the inline path and carries errors across', async () => {
  const pool = new PreparePool(2);
  try {
    const req = { body: enc(sampleDocument(5, { lot: 'POOL' })), kind: 'document' as const, behaviour: 'rollback' as const };
    // Only the decoded text stays behind on the worker (the main thread decodes the body itself).
    const { text, ...inline } = prepareText(req);
    assert.equal(text, JSON.stringify(sampleDocument(5, { lot: 'POOL' })));
    assert.deepEqual(await pool.run(req), inline);
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run({ ...req, body: enc(sampleDocument(3, { lot: `P${i}` })) })));
    assert.deepEqual(many.map((m) => m.events.length), [3, 3, 3, 3, 3, 3]);
    const bad = sampleDocument(2);
    (bad.epcisBody as { eventList: Record<string, unknown>[] }).eventList[1]!.action = 'MAYBE';
    await assert.rejects(pool.run({ ...req, body: enc(bad) }), (e) => isAppError(e) && e.code === 'EPCIS_VALIDATION' && /eventList\/1\/action/.test(e.message));
    await assert.rejects(pool.run({ ...req, body: enc('{"type":') }), (e) => isAppError(e) && e.code === 'INVALID_JSON');
    const proceed = await pool.run({ ...req, body: enc(bad), behaviour: 'proceed' });
    assert.equal(proceed.events.length, 1);
    assert.equal(proceed.problems[0]!.instance, '/epcisBody/eventList/1');
  } finally {
    await pool.close();
  }
});
