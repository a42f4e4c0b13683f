/**
 * Live push over Server-Sent Events: new Observations however written (HTTP, CreateObservations,
 * MQTT), resume after a reconnect with Last-Event-ID from the ring buffer and, past it, from the
 * database; private Datastreams only with a key. Several nodes: live-nodes.test.ts.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { inOneTransaction } from '../sensing/batch/atomic.ts';
import { forEachBackend } from '../testing/platform.ts';
import type { Change } from './changes.ts';
import type { LiveOptions } from './live.ts';
import { liveHubOfItsOwn, observationChange, sse } from './live-testing.ts';
import { connect, type Network, seedNetwork } from './testing.ts';

forEachBackend(
  (t) => {
    let net: Network;
    let base: string;
    before(async () => {
      await t.p.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.p.app.server.address() as { port: number }).port}`;
      net = await seedNetwork(t, 'live-1');
    });

    const hubOfItsOwn = (opts: LiveOptions = {}) => liveHubOfItsOwn(t, net.waterLevel, opts);

    test('new Observations from HTTP, CreateObservations and MQTT arrive as events with their ids', async () => {
      const s = await sse(`${base}/api/live?datastreams=${net.waterLevel},${net.salinity}`);
      assert.equal(s.status, 200);
      const r = await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 1.1 });
      const [e] = await s.next();
      assert.equal(e!.id, Number(/\((\d+)\)$/.exec(r.headers.location as string)![1]));
      assert.deepEqual([e!.data.result, e!.data.Datastream['@iot.id']], [1.1, net.waterLevel]);
      await t.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': net.salinity }, components: ['result'], dataArray: [[0.1], [0.2]] }]);
      assert.deepEqual((await s.next(2)).map((x) => x.data.result), [0.1, 0.2]);
      await t.api('POST', `/v1.1/Datastreams(${net.pumpOn})/Observations`, { result: true });
      const started = await t.p.ingest.start();
      const c = await connect(`mqtt://127.0.0.1:${started.mqttPort}`, { password: net.deviceKey });
      await c.publishAsync('cantho/v1/devices/live-1/telemetry', JSON.stringify({ water_level: 2.2, pump_on: false }), { qos: 1 });
      const [m] = await s.next();
      assert.deepEqual([m!.data.result, m!.data.Datastream['@iot.id']], [2.2, net.waterLevel], 'other Datastreams are not sent');
      await c.endAsync();
      await s.close();
    });

    test('a reconnect with Last-Event-ID gets exactly what it missed', async () => {
      const s = await sse(`${base}/api/live?things=${net.thing}`);
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 5 });
      const [last] = await s.next();
      await s.close();
      for (const v of [6, 7, 8]) await t.api('POST', `/v1.1/Datastreams(${net.salinity})/Observations`, { result: v });
      const again = await sse(`${base}/api/live?things=${net.thing}`, { 'last-event-id': String(last!.id) });
      assert.deepEqual((await again.next(3)).map((e) => e.data.result), [6, 7, 8]);
      await t.api('POST', `/v1.1/Datastreams(${net.salinity})/Observations`, { result: 9 });
      assert.deepEqual((await again.next()).map((e) => e.data.result), [9]);
      assert.equal(await again.settled(), 4, 'nothing twice');
      await again.close();
    });

    test('a reconnect resumes after its last event in delivery order, where a lower id came later (two PostgreSQL lanes, other nodes)', async () => {
      const { hub, url, close } = await hubOfItsOwn();
      // Ids far above the stored ones, so that a fall back to the database would find none of them.
      const B = 1e12;
      const changes = (...ids: number[]): Change[] =>
        ids.map((id) => observationChange(net.waterLevel, B + id, id));
      const s = await sse(url);
      hub.handle(changes(5, 6));
      assert.deepEqual((await s.next(2)).map((e) => e.data.result), [5, 6]);
      await s.close();
      // The other lane's transaction took 3 and 4 first and committed after 5 and 6.
      hub.handle(changes(3, 4, 7));
      const again = await sse(url, { 'last-event-id': String(B + 6) });
      assert.deepEqual((await again.next(3)).map((e) => e.data.result), [3, 4, 7]);
      hub.handle(changes(8));
      assert.deepEqual((await again.next()).map((e) => e.data.result), [8]);
      assert.equal(await again.settled(), 4, 'nothing twice');
      await again.close();
      await close();
    });

    test('a client gets where the stream stands when it connects and with each heartbeat (an id without data): cut off before its first event, or quiet for long, it resumes from there', async () => {
      const { hub: small, url, close } = await hubOfItsOwn({ capacity: 2, heartbeatMs: 150 });
      t.p.ingest.hub.onDeliver((b) => small.handle(b));
      const idOf = async (ds: number, result: number) => {
        const r = await t.api('POST', `/v1.1/Datastreams(${ds})/Observations`, { result });
        return Number(/\((\d+)\)$/.exec(r.headers.location as string)![1]);
      };
      // The last change the hub handled is of a Datastream the client does not follow.
      const other = await idOf(net.salinity, 50);
      await t.p.ingest.hub.idle();
      const s = await sse(url);
      assert.equal(await s.lastIdBecomes(), String(other), 'where it started');
      await s.close();
      await idOf(net.waterLevel, 51);
      await t.p.ingest.hub.idle();
      const again = await sse(url, { 'last-event-id': s.lastId! });
      assert.deepEqual((await again.next()).map((e) => e.data.result), [51]);
      // Quiet for a while: its last event id moves on with what the hub handles.
      let newest = 0;
      for (const v of [52, 53, 54]) newest = await idOf(net.salinity, v);
      await t.p.ingest.hub.idle();
      await again.lastIdBecomes(String(newest));
      await again.close();
      await idOf(net.waterLevel, 55);
      await t.p.ingest.hub.idle();
      const third = await sse(url, { 'last-event-id': again.lastId! });
      assert.deepEqual((await third.next()).map((e) => e.data.result), [55]);
      assert.equal(await third.settled(), 1, 'nothing twice');
      await third.close();
      await close();
    });

    test('MultiDatastreams: followed by id or through their Thing, live and on a resume from the database', async () => {
      const om = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/';
      const unit = { name: 'metre per second', symbol: 'm/s', definition: 'http://qudt.org/vocab/unit/M-PER-SEC' };
      const r = await t.api('POST', '/v1.1/MultiDatastreams', {
        name: 'Gió',
        description: 'tốc độ và hướng gió',
        observationType: `${om}OM_ComplexObservation`,
        multiObservationDataTypes: [`${om}OM_Measurement`, `${om}OM_Measurement`],
        unitOfMeasurements: [unit, { name: 'degree', symbol: '°', definition: 'http://qudt.org/vocab/unit/DEG' }],
        Thing: { '@iot.id': net.thing },
        Sensor: { name: 'anemometer', description: 'cup', encodingType: 'application/pdf', metadata: 'https://example.org/a.pdf' },
        ObservedProperties: [
          { name: 'wind speed', definition: 'https://example.org/op/ws', description: 'speed' },
          { name: 'wind direction', definition: 'https://example.org/op/wd', description: 'direction' },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const mds = Number(/\((\d+)\)$/.exec(r.headers.location as string)![1]);
      const { hub: small, url, close } = await hubOfItsOwn({ capacity: 2 });
      t.p.ingest.hub.onDeliver((b) => small.handle(b));
      const byId = url.replace(/datastreams=\d+/, `multidatastreams=${mds}`);
      const one = await sse(byId);
      const viaThing = await sse(url.replace(/datastreams=\d+/, `things=${net.thing}`));
      // A filter through Thing applies to MultiDatastreams too; one on a Datastream's own property does not.
      const viaFilter = await sse(url.replace(/datastreams=\d+/, `filter=${encodeURIComponent(`Thing/id eq ${net.thing}`)}`));
      const unitOnly = await sse(url.replace(/datastreams=\d+/, `filter=${encodeURIComponent(`unitOfMeasurement/symbol eq 'm' and Thing/id eq ${net.thing}`)}`));
      assert.deepEqual([viaFilter.status, unitOnly.status], [200, 200]);
      await t.api('POST', `/v1.1/MultiDatastreams(${mds})/Observations`, { result: [3.2, 180] });
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 7.7 });
      assert.deepEqual((await unitOnly.next()).map((e) => e.data.result), [7.7], 'the Datastream only');
      await unitOnly.close();
      for (const s of [one, viaThing, viaFilter]) {
        const [e] = await s.next();
        assert.deepEqual(e!.data.result, [3.2, 180]);
        assert.deepEqual((e!.data as unknown as { MultiDatastream: unknown }).MultiDatastream, { '@iot.id': mds });
      }
      const last = one.events.at(-1)!;
      await one.close();
      await viaThing.close();
      await viaFilter.close();
      for (const v of [1, 2, 3]) await t.api('POST', `/v1.1/MultiDatastreams(${mds})/Observations`, { result: [v, v * 10] });
      await t.api('POST', `/v1.1/Datastreams(${net.salinity})/Observations`, { result: 0.9 });
      await t.p.ingest.hub.idle();
      // Its last event left the ring (room for 2): the rest comes from the database.
      const again = await sse(byId, { 'last-event-id': last.raw });
      assert.deepEqual((await again.next(3)).map((e) => e.data.result), [[1, 10], [2, 20], [3, 30]]);
      await again.close();
      assert.equal((await sse(url.replace(/datastreams=\d+/, 'multidatastreams=999999'))).status, 404);
      await close();
    });

    test('beyond the ring buffer the database fills the gap', async () => {
      // A hub with room for 2 events, fed by the platform's change hub.
      const { hub: small, url, close } = await hubOfItsOwn({ capacity: 2 });
      t.p.ingest.hub.onDeliver((b) => small.handle(b));
      const s = await sse(url);
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 10 });
      const [last] = await s.next();
      await s.close();
      for (const v of [11, 12, 13, 14, 15]) await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: v });
      await t.p.ingest.hub.idle();
      const again = await sse(url, { 'last-event-id': String(last!.id) });
      assert.deepEqual((await again.next(5)).map((e) => e.data.result), [11, 12, 13, 14, 15]);
      await again.close();
      await close();
    });

    test('a resume from the database longer than the most one sends ends the stream; the client resumes from its last event and misses nothing', async () => {
      const { hub: small, url, close } = await hubOfItsOwn({ capacity: 2, replayMax: 3 });
      t.p.ingest.hub.onDeliver((b) => small.handle(b));
      const s = await sse(url);
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 30 });
      const [last] = await s.next();
      await s.close();
      const values = [31, 32, 33, 34, 35, 36, 37];
      await t.api('POST', '/v1.1/CreateObservations', [{ Datastream: { '@iot.id': net.waterLevel }, components: ['result'], dataArray: values.map((v) => [v]) }]);
      await t.p.ingest.hub.idle();
      let from = last!.raw;
      const got: unknown[] = [];
      for (const n of [3, 3]) {
        const part = await sse(url, { 'last-event-id': from });
        got.push(...(await part.next(n)).map((e) => e.data.result));
        await part.ended; // after 3 events the server ends the stream
        assert.equal(part.events.length, n);
        from = part.events.at(-1)!.raw;
      }
      const rest = await sse(url, { 'last-event-id': from });
      got.push(...(await rest.next()).map((e) => e.data.result));
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 38 });
      got.push(...(await rest.next()).map((e) => e.data.result));
      assert.equal(await rest.settled(), 2, 'the last part stays open, live, and nothing comes twice');
      assert.deepEqual(got, [...values, 38]);
      await rest.close();
      await close();
    });

    test('after a restart (an empty ring) what followed the last event comes from the database', async () => {
      const s = await sse(`${base}/api/live?datastreams=${net.waterLevel}`);
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 20 });
      const [last] = await s.next();
      await s.close();
      for (const v of [21, 22]) await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: v });
      await t.p.ingest.hub.idle();
      // The server restarts: its new hub knows only what is committed from now on.
      const { hub: restarted, url, close } = await hubOfItsOwn();
      t.p.ingest.hub.onDeliver((b) => restarted.handle(b));
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 23 });
      await t.p.ingest.hub.idle();
      const again = await sse(url, { 'last-event-id': String(last!.id) });
      assert.deepEqual((await again.next(3)).map((e) => e.data.result), [21, 22, 23]);
      await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 24 });
      assert.deepEqual((await again.next()).map((e) => e.data.result), [24]);
      assert.equal(await again.settled(), 4, 'nothing twice');
      await again.close();
      await close();
    });

    test('writes that overlap commit out of id order: a resume past the ring still gets the lower id that came after its last event', async () => {
      // A hub with room for 2 events, fed by the platform's change hub, following the water level and the salinity.
      const { hub: small, url, close } = await hubOfItsOwn({ capacity: 2 });
      t.p.ingest.hub.onDeliver((b) => small.handle(b));
      const both = url.replace(/datastreams=\d+/, `datastreams=${net.waterLevel},${net.salinity}`);
      const s = await sse(both);
      // A change set (HTTP $batch) inserts its Observation A (101) and is still open...
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      let inserted!: () => void;
      const insertedA = new Promise<void>((r) => (inserted = r));
      const batch = inOneTransaction(t.p.sensing, async (scoped) => {
        await scoped.writeObservations([{ datastreamId: net.salinity, phenomenonStart: Date.now(), result: 101 }]);
        inserted();
        await gate;
      });
      await insertedA;
      // ...while B (102) is written beside it: on PostgreSQL B commits first, with the higher id; on
      // SQLite (one writer) it waits for A.
      const posted = t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: 102 });
      const pg = t.p.db.dialect === 'postgres';
      // The client has B and is cut off; on PostgreSQL before A commits.
      const cutOff = async () => {
        for (; !s.events.some((e) => e.data.result === 102); ) await s.next();
        await s.close();
      };
      if (pg) {
        assert.equal((await posted).status, 201);
        await cutOff();
      }
      open();
      await batch;
      assert.equal((await posted).status, 201);
      if (!pg) await cutOff();
      const seen = s.events.map((e) => e.data.result);
      const last = s.events.at(-1)!;
      if (pg) {
        assert.deepEqual(seen, [102], `B came first, A after the client left: ${s.events.map((e) => e.raw).join(' ')}`);
        assert.match(last.raw, /^\d+~\d+$/, 'its event id says a lower id may still come');
      }
      for (const v of [103, 104, 105]) await t.api('POST', `/v1.1/Datastreams(${net.waterLevel})/Observations`, { result: v });
      await t.p.ingest.hub.idle();
      const again = await sse(both, { 'last-event-id': last.raw });
      const missed = [101, 102, 103, 104, 105].filter((v) => !seen.includes(v));
      for (const deadline = Date.now() + 3000; !missed.every((v) => again.events.some((e) => e.data.result === v)) && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(
        missed.filter((v) => !again.events.some((e) => e.data.result === v)),
        [],
        `after ${last.raw}: ${again.events.map((e) => `${e.raw}=${String(e.data.result)}`).join(' ')}`,
      );
      await again.close();
      await close();
    });

    test('filter= follows the Datastreams a $filter matches: an area, a sector; private ones only with a key', async () => {
      const area = encodeURIComponent("st_within(Thing/Locations/location, geography'POLYGON((105.78 10.03, 105.79 10.03, 105.79 10.04, 105.78 10.04, 105.78 10.03))')");
      const anon = await sse(`${base}/api/live?filter=${area}`);
      assert.equal(anon.status, 200);
      const keyed = await sse(`${base}/api/live?filter=${area}`, { authorization: `Bearer ${net.viewerKey}` });
      const sector = await sse(`${base}/api/live?filter=${encodeURIComponent("Thing/properties/deviceId eq 'live-1' and properties/code eq 'salinity'")}`);
      for (const [ds, result] of [[net.privateStream, 1], [net.waterLevel, 2], [net.salinity, 3]] as const) {
        assert.equal((await t.api('POST', `/v1.1/Datastreams(${ds})/Observations`, { result })).status, 201);
      }
      // The two Things stand at the same place; the private one's stream reaches only the keyed client.
      assert.deepEqual((await anon.next(2)).map((e) => [e.data.Datastream['@iot.id'], e.data.result]), [[net.waterLevel, 2], [net.salinity, 3]]);
      assert.deepEqual((await keyed.next(3)).map((e) => e.data.result), [1, 2, 3]);
      assert.deepEqual((await sector.next(1)).map((e) => [e.data.Datastream['@iot.id'], e.data.result]), [[net.salinity, 3]]);
      assert.equal(await anon.settled(), 2);
      assert.equal(sector.events.length, 1);
      await Promise.all([anon.close(), keyed.close(), sector.close()]);
      // A filter the planner refuses is a 400 with its reason; one that matches nothing is a 404.
      const bad = await fetch(`${base}/api/live?filter=${encodeURIComponent('name eq')}`);
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { code: string }).code, 'INVALID_FILTER');
      assert.equal((await fetch(`${base}/api/live?filter=${encodeURIComponent("name eq 'không có'")}`)).status, 404);
    });

    test('private Datastreams: 404 without a key, streamed with one; bad parameters are 400', async () => {
      assert.equal((await fetch(`${base}/api/live?datastreams=${net.privateStream}`)).status, 404);
      assert.equal((await fetch(`${base}/api/live`)).status, 400);
      assert.equal((await fetch(`${base}/api/live?datastreams=1,x`)).status, 400);
      const s = await sse(`${base}/api/live?datastreams=${net.privateStream}`, { authorization: `Bearer ${net.viewerKey}` });
      assert.equal(s.status, 200);
      await t.api('POST', `/v1.1/Datastreams(${net.privateStream})/Observations`, { result: 7.5 });
      assert.equal((await s.next())[0]!.data.result, 7.5);
      await s.close();
    });
  },
  { HOST: '127.0.0.1' },
);
