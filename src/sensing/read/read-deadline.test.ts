// Reads stop at CANTHO_QUERY_TIMEOUT_MS instead of holding the server (storage/deadline.ts), on both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';
import { SYSTEM } from '../../ingest/subscriptions.ts';
import { SensingService } from '../sensing.service.ts';

/**
 * The timeout under test and the size of the one stream. SQLite checks its clock every 1,024 visited
 * rows, so 1 ms stops exactly the reads that visit many rows. PostgreSQL times statements itself:
 * 100 ms against reads that take seconds there (a million rows) and cheap ones of a few ms.
 */
const TIMEOUT = { sqlite: 1, postgres: 100 } as const;
const ROWS = { sqlite: 200_000, postgres: 1_000_000 } as const;

forEachBackend((t) => {
  let ds = 0;
  let N = 0;
  before(async () => {
    const db = t.p.db;
    N = ROWS[db.dialect];
    const r = await t.api('POST', '/v1.1/Things', {
      name: 'big', description: 'one stream with many observations',
      Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'level', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', unitOfMeasurement: { name: 'm', symbol: 'm', definition: 'm' },
        Sensor: { name: 's', description: 's', encodingType: 'application/pdf', metadata: 'm' }, ObservedProperty: { name: 'o', definition: 'o', description: 'o' } }],
    });
    assert.equal(r.status, 201, r.text);
    ds = Number((await sql<{ id: number }>`SELECT id FROM datastreams`.execute(db.kysely)).rows[0]!.id);
    // Results in a scrambled order (7919 is prime), so sorting by result really sorts.
    const result = (i: number) => (i * 7919) % N;
    const chunk = 20_000;
    const written = db.dialect === 'sqlite' ? N : chunk;
    for (let at = 0; at < written; at += chunk) {
      await t.p.sensing.observations.write(Array.from({ length: chunk }, (_, k) => ({ datastreamId: ds, phenomenonStart: 1.7e12 + (at + k) * 1000, result: result(at + k) })));
    }
    if (db.dialect === 'postgres') {
      // The rest in one statement (the write path would take most of a minute), counter included.
      await sql`INSERT INTO observations (phenomenon_time_start, result_num, datastream_id, feature_of_interest_id)
        SELECT CAST(${1.7e12} AS bigint) + i * 1000, (i * 7919) % CAST(${N} AS bigint), CAST(${ds} AS bigint), (SELECT feature_of_interest_id FROM observations LIMIT 1) FROM generate_series(CAST(${chunk} AS bigint), CAST(${N - 1} AS bigint)) AS i`.execute(db.kysely);
      await sql`UPDATE datastreams SET obs_count = ${N} WHERE id = ${ds}`.execute(db.kysely);
      await sql`ANALYZE observations`.execute(db.kysely);
    }
  });

  test('a read that sorts every observation stops with QUERY_TOO_COSTLY', async () => {
    const r = await t.api('GET', `/v1.1/Observations?$orderby=result%20desc&$skip=${N - 50_000}&$top=1`, undefined, { key: null });
    assert.equal(r.status, 400, r.text);
    const body = r.body as { code: string; message: string };
    assert.equal(body.code, 'QUERY_TOO_COSTLY');
    assert.match(body.message, new RegExp(`\\(${TIMEOUT[t.backend.dialect]} ms\\)`));
    assert.match(body.message, /\$filter on phenomenonTime/, 'the message says how to narrow the read');
  });

  test('the bound holds inside $expand, $count and behind a $filter that matches nothing', async () => {
    const e = await t.api('GET', `/v1.1/Datastreams?$expand=Observations($orderby=result%20desc;$skip=${N - 50_000};$top=1)`);
    assert.equal(e.status, 400, e.text);
    assert.equal((e.body as { code: string }).code, 'QUERY_TOO_COSTLY');
    // On PostgreSQL a parallel scan of a million rows fits in the 100 ms: the statement_timeout
    // that stopped the reads above is the bound of these too.
    if (t.backend.dialect !== 'sqlite') return;
    // The page (id order, the first match) is cheap; counting the matches visits every row.
    const c = await t.api('GET', '/v1.1/Observations?$filter=result%20mod%207%20eq%203&$count=true&$top=1');
    assert.equal(c.status, 400, c.text);
    assert.equal((c.body as { code: string }).code, 'QUERY_TOO_COSTLY');
    // No row passes the filter, so the deadline must be checked before it, on every visited row.
    const none = await t.api('GET', '/v1.1/Observations?$filter=result%20lt%200&$top=1');
    assert.equal(none.status, 400, none.text);
    assert.equal((none.body as { code: string }).code, 'QUERY_TOO_COSTLY');
  });

  test('cheap reads of the same server answer under the same bound', async () => {
    const newest = await t.api('GET', `/v1.1/Datastreams(${ds})/Observations?$orderby=phenomenonTime%20desc&$top=2&$count=true`);
    assert.equal(newest.status, 200, newest.text);
    const b = newest.body as { '@iot.count': number; value: { phenomenonTime: string }[] };
    assert.equal(b['@iot.count'], N, 'the count of a stream comes from its counter');
    assert.deepEqual(b.value.map((o) => o.phenomenonTime), [new Date(1.7e12 + (N - 1) * 1000).toISOString(), new Date(1.7e12 + (N - 2) * 1000).toISOString()]);
    const first = await t.api('GET', '/v1.1/Observations?$top=3', undefined, { key: null });
    assert.equal(first.status, 200, first.text);
    assert.equal((first.body as { value: unknown[] }).value.length, 3);
  });

  // PostgreSQL reads go through the bounded pool whatever the service: this one is SQLite's.
  if (t.backend.dialect === 'sqlite') test('without a bound the same sorting read answers', async () => {
    const unbounded = new SensingService(t.p.db, { defaultTop: 100, maxTop: 10_000 });
    const r = await unbounded.get({ principal: SYSTEM, root: 'http://x/v1.1' }, 'Observations', new URLSearchParams(`$orderby=result desc&$skip=${N - 50_000}&$top=1`));
    assert.equal(r.kind, 'json');
    assert.equal((r.body as { value: { result: number }[] }).value[0]!.result, 49_999);
  });

  // SQLite reads run on read threads (storage/read-pool.ts): a costly one does not hold the event
  // loop, so a write and a cheap read that come after it are answered before it ends. (The last test:
  // it adds an observation.)
  if (t.backend.dialect === 'sqlite') test('a costly read holds neither writes nor other reads', async () => {
    const pool = t.p.db.readPool;
    assert.ok(pool, 'the platform reads SQLite on threads');
    // Both threads running first (two reads in one turn): a thread starting would be timed here too.
    await Promise.all([0, 1].map(() => pool.rows({ sql: 'SELECT 1', parameters: [] })));
    const unbounded = new SensingService(t.p.db, { defaultTop: 100, maxTop: 10_000 });
    const order: string[] = [];
    const costly = unbounded.get({ principal: SYSTEM, root: 'http://x/v1.1' }, 'Observations', new URLSearchParams(`$orderby=result desc,phenomenonTime desc&$skip=${N - 50_000}&$top=1&$count=true`)).then(() => order.push('costly'));
    const write = t.api('POST', `/v1.1/Datastreams(${ds})/Observations`, { phenomenonTime: '2030-01-01T00:00:00Z', result: -1 }).then((r) => {
      assert.equal(r.status, 201, r.text);
      order.push('write');
    });
    const read = t.api('GET', `/v1.1/Datastreams(${ds})`).then((r) => {
      assert.equal(r.status, 200, r.text);
      order.push('read');
    });
    await Promise.all([write, read]);
    const gauge = async () => Number(/cantho_sqlite_reads\{state="running"\} (\d+)/.exec(await t.p.metrics.registry.metrics())?.[1]);
    assert.deepEqual([order.includes('costly'), await gauge()], [false, 1], 'the costly read is still running, and /metrics shows it');
    await costly;
    assert.equal(order.at(-1), 'costly', `in the order answered: ${order.join(', ')}`);
    assert.equal(await gauge(), 0);
  });
}, (dialect) => ({ CANTHO_QUERY_TIMEOUT_MS: String(TIMEOUT[dialect as keyof typeof TIMEOUT]) }));
