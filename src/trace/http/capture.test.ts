import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { postSigned, sampleDocument, setupOrg, signBody, type TestOrg, waitForCheckpoint } from '../testing.ts';

forEachBackend((tp) => {
  let org: TestOrg;
  test('setup organisation', async () => {
    org = await setupOrg(tp, 'htx-test');
  });

  test('POST /epcis/capture: 202, Location, finished job, events queryable, leaves appended', async () => {
    const r = await postSigned(tp, org, '/epcis/capture', sampleDocument(5));
    assert.equal(r.status, 202, r.text);
    assert.match(String(r.headers.location), /\/epcis\/capture\/c_/);
    assert.equal(r.headers['gs1-epcis-version'], '2.0.0');
    const job = r.body as { success: boolean; eventCount: number; running: boolean; firstLeafIndex: number };
    assert.equal(job.success, true);
    assert.equal(job.running, false);
    assert.equal(job.eventCount, 5);
    const path = new URL(String(r.headers.location)).pathname;
    const j = await tp.api('GET', path, undefined, { key: org.apiKey });
    assert.equal(j.status, 200, j.text);
    assert.equal((j.body as { captureID: string }).captureID, path.split('/').pop());
    const q = await tp.api('GET', '/epcis/events?perPage=2');
    assert.equal(q.status, 200, q.text);
    const list = (q.body as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }).epcisBody.queryResults.resultsBody.eventList;
    assert.equal(list.length, 2);
    assert.match(String(q.headers.link), /rel="next"/);
    await waitForCheckpoint(tp, 5);
    const cp = await tp.api('GET', '/trace/log/checkpoint', undefined, { key: null });
    assert.equal(cp.status, 200);
    assert.match(cp.text, /\n5\n/);
  });

  test('SQLite: an append that meets SQLITE_BUSY is tried again, and concurrent captures share commits', async () => {
    if (tp.backend.dialect !== 'sqlite') return;
    const raw = tp.p.db.sqlite!;
    const transaction = raw.transaction;
    let busy = 2;
    raw.transaction = function (this: typeof raw, ...args: Parameters<typeof transaction>) {
      if (busy-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return transaction.apply(this, args);
    } as typeof transaction;
    let commits = 0;
    tp.p.trace.appender.onAppended(() => commits++);
    try {
      const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => postSigned(tp, org, '/epcis/capture', sampleDocument(3, { lot: `BUSY${i}` }))));
      for (const r of rs) assert.equal(r.status, 202, r.text);
      assert.ok(commits < 6, `${commits} commits for 6 concurrent captures`);
    } finally {
      raw.transaction = transaction;
    }
  });

  test('replayed signed body → 409; bad signature → 401; unsigned without custodial key → 401', async () => {
    const body = JSON.stringify(sampleDocument(1, { lot: 'REPLAY' }));
    const h = { 'cantho-signature': signBody(org, body) };
    assert.equal((await tp.api('POST', '/epcis/capture', body, { key: org.apiKey, headers: h })).status, 202);
    const again = await tp.api('POST', '/epcis/capture', body, { key: org.apiKey, headers: h });
    assert.equal(again.status, 409, again.text);
    assert.equal((again.body as { type: string }).type, 'epcisException:ResourceAlreadyExistsException');
    const other = JSON.stringify(sampleDocument(1, { lot: 'OTHER' }));
    const bad = await tp.api('POST', '/epcis/capture', other, { key: org.apiKey, headers: h });
    assert.equal(bad.status, 401, bad.text);
    assert.equal((bad.body as { code: string }).code, 'SIGNATURE_INVALID');
    const unsigned = await tp.api('POST', '/epcis/capture', other, { key: org.apiKey });
    assert.equal(unsigned.status, 401);
    assert.equal((unsigned.body as { code: string }).code, 'SIGNATURE_REQUIRED');
    const anon = await tp.api('POST', '/epcis/capture', other, { key: null, headers: { 'cantho-signature': signBody(org, other) } });
    assert.equal(anon.status, 401);
  });
});

forEachBackend((tp) => {
  let org: TestOrg;
  test('setup', async () => {
    org = await setupOrg(tp, 'htx-two');
  });

  test('POST /epcis/events: 201 + Location; the stored event has eventID and recordTime; duplicate → 409', async () => {
    const ev = (sampleDocument(1, { lot: 'SINGLE' }).epcisBody as { eventList: Record<string, unknown>[] }).eventList[0]!;
    const r = await postSigned(tp, org, '/epcis/events', ev);
    assert.equal(r.status, 201, r.text);
    const stored = r.body as { eventID: string; recordTime: string };
    assert.match(stored.eventID, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    assert.match(stored.recordTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(new URL(String(r.headers.location)).pathname, `/epcis/events/${encodeURIComponent(stored.eventID)}`);
    const get = await tp.api('GET', new URL(String(r.headers.location)).pathname, undefined, { key: null });
    assert.equal(get.status, 200);
    // Same content in another key order: another body (no replay) but the same Event Hash ID.
    const dup = await postSigned(tp, org, '/epcis/events', { eventTimeZoneOffset: '+07:00', ...ev });
    assert.equal(dup.status, 409, dup.text);
    assert.match((dup.body as { detail: string }).detail, /already stored/);
  });

  test('GS1-Capture-Error-Behaviour: rollback refuses the whole document, proceed keeps the valid events', async () => {
    const doc = sampleDocument(3, { lot: 'PROCEED' });
    (doc.epcisBody as { eventList: Record<string, unknown>[] }).eventList[1]!.bizStep = 'not_a_bizstep';
    const rb = await postSigned(tp, org, '/epcis/capture', doc);
    assert.equal(rb.status, 400);
    assert.match((rb.body as { detail: string }).detail, /eventList\/1\/bizStep/);
    const pr = await postSigned(tp, org, '/epcis/capture', doc, { 'GS1-Capture-Error-Behaviour': 'proceed' });
    assert.equal(pr.status, 202, pr.text);
    const job = pr.body as { success: boolean; eventCount: number; errors: { instance: string }[]; captureErrorBehaviour: string };
    assert.equal(job.success, false);
    assert.equal(job.eventCount, 2);
    assert.equal(job.captureErrorBehaviour, 'proceed');
    assert.equal(job.errors[0]!.instance, '/epcisBody/eventList/1');
    // A rollback capture that repeats a stored eventID stores nothing and says why.
    const withId = sampleDocument(2, { lot: 'IDS' });
    const list = (withId.epcisBody as { eventList: Record<string, unknown>[] }).eventList;
    list[0]!.eventID = 'urn:uuid:11111111-2222-4333-8444-555555555555';
    assert.equal((await postSigned(tp, org, '/epcis/capture', withId)).status, 202);
    list[1]!.eventID = 'urn:uuid:11111111-2222-4333-8444-555555555556';
    list[1]!.eventTime = '2025-04-11T00:00:00Z';
    const again = await postSigned(tp, org, '/epcis/capture', withId);
    assert.equal(again.status, 202);
    assert.equal((again.body as { success: boolean; eventCount: number }).eventCount, 0);
  });

  test('one commit with a replay and a repeated eventID among fresh captures: each gets its own answer', async () => {
    const stored = sampleDocument(2, { lot: 'MIXSTORED' });
    const storedBody = JSON.stringify(stored);
    const h = { 'cantho-signature': signBody(org, storedBody) };
    assert.equal((await tp.api('POST', '/epcis/capture', storedBody, { key: org.apiKey, headers: h })).status, 202);
    const before = await tp.p.trace.store.size();
    const repeat = sampleDocument(3, { lot: 'MIXREPEAT' });
    (repeat.epcisBody as { eventList: unknown[] }).eventList[1] = (stored.epcisBody as { eventList: unknown[] }).eventList[0];
    const [fresh, replay, proceed, rollback] = await Promise.all([
      postSigned(tp, org, '/epcis/capture', sampleDocument(4, { lot: 'MIXFRESH' })),
      tp.api('POST', '/epcis/capture', storedBody, { key: org.apiKey, headers: h }),
      postSigned(tp, org, '/epcis/capture', repeat, { 'GS1-Capture-Error-Behaviour': 'proceed' }),
      postSigned(tp, org, '/epcis/capture', { ...repeat, creationDate: '2025-04-10T00:31:00.000Z' }),
    ]);
    assert.equal(fresh.status, 202, fresh.text);
    assert.equal((fresh.body as { eventCount: number }).eventCount, 4);
    assert.equal(replay.status, 409, replay.text);
    assert.equal(proceed.status, 202, proceed.text);
    assert.deepEqual([(proceed.body as { eventCount: number }).eventCount, (proceed.body as { success: boolean }).success], [2, false]);
    assert.equal(rollback.status, 202, rollback.text);
    assert.equal((rollback.body as { eventCount: number }).eventCount, 0);
    assert.equal(await tp.p.trace.store.size(), before + 6);
  });

  test('capture jobs: visible to the organisation and admins only', async () => {
    const other = await setupOrg(tp, 'other-org');
    const jobs = await tp.api('GET', '/epcis/capture?perPage=2', undefined, { key: org.apiKey });
    assert.equal(jobs.status, 200);
    assert.equal((jobs.body as unknown[]).length, 2);
    assert.match(String(jobs.headers.link), /nextPageToken=/);
    const id = (jobs.body as { captureID: string }[])[0]!.captureID;
    assert.equal((await tp.api('GET', `/epcis/capture/${id}`, undefined, { key: other.apiKey })).status, 404);
    assert.equal((await tp.api('GET', `/epcis/capture/${id}`)).status, 200);
    assert.equal((await tp.api('GET', `/epcis/capture/${id}`, undefined, { key: null })).status, 401);
    // Another organisation's API key cannot capture with this organisation's key.
    const body = JSON.stringify(sampleDocument(1, { lot: 'CROSS' }));
    const cross = await tp.api('POST', '/epcis/capture', body, { key: other.apiKey, headers: { 'cantho-signature': signBody(org, body) } });
    assert.equal(cross.status, 403, cross.text);
  });

  test('custodial key: the server signs for a demo organisation; revoked keys stop verifying', async () => {
    assert.equal((await tp.api('POST', '/trace/api/orgs/htx-two/keys', { custodial: true }, { key: org.apiKey })).status, 403);
    const k = await tp.api('POST', '/trace/api/orgs/htx-two/keys', { custodial: true });
    assert.equal(k.status, 201, k.text);
    assert.equal((k.body as { custodial: boolean }).custodial, true);
    const r = await tp.api('POST', '/epcis/capture', sampleDocument(1, { lot: 'CUST' }), { key: org.apiKey });
    assert.equal(r.status, 202, r.text);
    assert.equal((r.body as { keyId: string }).keyId, (k.body as { keyId: string }).keyId);
    const del = await tp.api('DELETE', `/trace/api/orgs/htx-two/keys/${org.keyId}`, undefined, { key: org.apiKey });
    assert.equal(del.status, 204);
    const after = await postSigned(tp, org, '/epcis/capture', sampleDocument(1, { lot: 'REVOKED' }));
    assert.equal(after.status, 401, after.text);
    const list = await tp.api('GET', '/trace/api/orgs/htx-two', undefined, { key: null });
    assert.equal((list.body as { keys: { revokedAt: string | null }[] }).keys.filter((x) => x.revokedAt).length, 1);
  });

  test('organisations: admin-only creation, validated input, GLN check digits', async () => {
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'x1', name: 'X', kind: 'farm' }, { key: org.apiKey })).status, 403);
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'Bad Code', name: 'X', kind: 'farm' })).status, 400);
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'x2', name: 'X', kind: 'bakery' })).status, 400);
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'x3', name: 'X', kind: 'farm', gln: '8936012340019' })).status, 400);
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'x4', name: 'X', kind: 'farm', gln: '8936012340013', extra: 1 })).status, 400);
    assert.equal((await tp.api('POST', '/trace/api/orgs', { code: 'htx-two', name: 'X', kind: 'farm' })).status, 409);
    const put = await tp.api('PUT', '/trace/api/locations/8936012340013', { name: 'Kho', lat: 10.1, lon: 105.5, org: 'htx-two' }, { key: org.apiKey });
    assert.equal(put.status, 200, put.text);
    assert.equal((await tp.api('PUT', '/trace/api/products/8936012345674', { name: 'Gạo', ownerOrg: 'other-org' }, { key: org.apiKey })).status, 403);
    assert.equal((await tp.api('PUT', '/trace/api/products/8936012345674', { name: 'Gạo', ownerOrg: 'htx-two' }, { key: org.apiKey })).status, 200);
    assert.equal(((await tp.api('GET', '/trace/api/products/08936012345674', undefined, { key: null })).body as { name: string }).name, 'Gạo');
  });
});
