// An EPCIS query that would visit every event stops at CANTHO_QUERY_TIMEOUT_MS with the REST
// binding's QueryTooComplexException (storage/deadline.ts). SQLite, where a read holds the event
// loop; PostgreSQL's statement_timeout is tested in storage/database.test.ts.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';
import { postSigned, sampleDocument, setupOrg } from '../testing.ts';

const COPIES = 50_000;

forEachBackend((tp) => {
  if (tp.backend.dialect !== 'sqlite') return;
  before(async () => {
    const org = await setupOrg(tp, 'deadline-org');
    const r = await postSigned(tp, org, '/epcis/capture', sampleDocument(2));
    assert.equal(r.status, 202, r.text);
    // Many stored events, copies of the captured ones (the query reads only trace_events).
    await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${COPIES})
      INSERT INTO trace_events (leaf_index, event_id, event_hash, event_type, action, event_time, record_time, biz_step, disposition, read_point, biz_location, capture_id, capture_index, org_id, event_json)
      SELECT e.leaf_index + 10 * n.i, e.event_id || '-' || n.i, e.event_hash, e.event_type, e.action, e.event_time, e.record_time, e.biz_step, e.disposition, e.read_point, e.biz_location, e.capture_id, e.capture_index, e.org_id, e.event_json
      FROM n CROSS JOIN (SELECT * FROM trace_events WHERE leaf_index < 10) AS e`.execute(tp.p.db.kysely);
  });

  test('a query that filters on an unindexed field over every event stops with QueryTooComplexException', async () => {
    const r = await tp.api('GET', '/epcis/events?EQ_action=DELETE', undefined, { key: null });
    assert.equal(r.status, 413, r.text);
    const b = r.body as { type: string; code: string; detail: string };
    assert.equal(b.type, 'epcisException:QueryTooComplexException');
    assert.equal(b.code, 'QUERY_TOO_COSTLY');
    assert.match(b.detail, /\(1 ms\)/);
    assert.match(b.detail, /eventTime window/, 'the EPCIS advice, not the SensorThings one');
  });

  test('a query an index answers still does', async () => {
    const r = await tp.api('GET', '/epcis/events?perPage=5', undefined, { key: null });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }).epcisBody.queryResults.resultsBody.eventList.length, 5);
  });
}, { CANTHO_QUERY_TIMEOUT_MS: '1' });
