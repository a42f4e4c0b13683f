import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { postSigned, setupOrg } from '../testing.ts';

/** A document with varied events: types, actions, bizSteps, places, EPCs in URN and Digital Link form. */
function dataset(): Record<string, unknown> {
  const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
  const ev = (i: number, extra: Record<string, unknown>) => ({
    type: 'ObjectEvent',
    eventID: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    eventTime: `2025-04-${String(10 + i).padStart(2, '0')}T08:00:00.000+07:00`,
    eventTimeZoneOffset: '+07:00',
    action: 'OBSERVE',
    ...extra,
  });
  return {
    '@context': ctx,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2025-04-30T00:00:00Z',
    epcisBody: {
      eventList: [
        ev(0, { action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: ['urn:epc:id:sgtin:8936012.034567.1001'], readPoint: { id: 'urn:epc:id:sgln:8936012.34001.0' } }),
        ev(1, { bizStep: 'shipping', disposition: 'in_transit', epcList: ['https://id.gs1.org/01/08936012345674/21/1001'], bizLocation: { id: 'https://id.gs1.org/414/8936012340013' } }),
        ev(2, { bizStep: 'urn:epcglobal:cbv:bizstep:receiving', disposition: 'in_progress', quantityList: [{ epcClass: 'urn:epc:class:lgtin:8936012.034567.L7', quantity: 5, uom: 'KGM' }] }),
        ev(3, { bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', epcList: ['urn:epc:id:sgtin:8936012.034567.1002'] }),
        {
          type: 'AggregationEvent',
          eventID: 'urn:uuid:00000000-0000-4000-8000-000000000004',
          eventTime: '2025-04-20T08:00:00.000+07:00',
          eventTimeZoneOffset: '+07:00',
          action: 'ADD',
          bizStep: 'packing',
          parentID: 'urn:epc:id:sscc:8936012.0000000001',
          childEPCs: ['urn:epc:id:sgtin:8936012.034567.1001'],
        },
      ],
    },
  };
}

type QDoc = { epcisBody: { queryResults: { resultsBody: { eventList: { eventID: string }[] } } } };
const ids = (b: unknown) => (b as QDoc).epcisBody.queryResults.resultsBody.eventList.map((e) => Number(e.eventID.slice(-2)));

forEachBackend((tp) => {
  test('capture the dataset', async () => {
    const org = await setupOrg(tp, 'query-org');
    const r = await postSigned(tp, org, '/epcis/capture', dataset());
    assert.equal(r.status, 202, r.text);
  });

  const q = async (qs: string) => {
    const r = await tp.api('GET', `/epcis/events?${qs}`, undefined, { key: null });
    assert.equal(r.status, 200, `${qs}: ${r.text}`);
    return ids(r.body).sort((a, b) => a - b);
  };

  test('filters: eventType, EQ_action, EQ_bizStep (bare, URN and Web URI alike), EQ_disposition', async () => {
    assert.deepEqual(await q('eventType=AggregationEvent'), [4]);
    assert.deepEqual(await q('eventType=ObjectEvent|AggregationEvent'), [0, 1, 2, 3, 4]);
    assert.deepEqual(await q('EQ_action=ADD'), [0, 4]);
    assert.deepEqual(await q('EQ_bizStep=shipping'), [1, 3]);
    assert.deepEqual(await q('EQ_bizStep=receiving|packing'), [2, 4]);
    assert.deepEqual(await q(`EQ_bizStep=${encodeURIComponent('urn:epcglobal:cbv:bizstep:shipping')}`), [1, 3]);
    assert.deepEqual(await q('EQ_disposition=in_transit'), [1]);
  });

  test('time windows: GE_/LT_eventTime, GE_/LT_recordTime', async () => {
    assert.deepEqual(await q(`GE_eventTime=${encodeURIComponent('2025-04-12T08:00:00+07:00')}&LT_eventTime=${encodeURIComponent('2025-04-14T00:00:00+07:00')}`), [2, 3]);
    assert.deepEqual(await q(`GE_recordTime=${encodeURIComponent('2000-01-01T00:00:00Z')}`), [0, 1, 2, 3, 4]);
    assert.deepEqual(await q(`LT_recordTime=${encodeURIComponent('2000-01-01T00:00:00Z')}`), []);
  });

  test('locations and EPCs: SGLN URN ≡ GLN Digital Link; MATCH_epc, MATCH_anyEPC, MATCH_epcClass, patterns', async () => {
    assert.deepEqual(await q(`EQ_readPoint=${encodeURIComponent('https://id.gs1.org/414/8936012340013')}`), [0]);
    assert.deepEqual(await q(`EQ_bizLocation=${encodeURIComponent('urn:epc:id:sgln:8936012.34001.0')}`), [1]);
    assert.deepEqual(await q(`MATCH_epc=${encodeURIComponent('urn:epc:id:sgtin:8936012.034567.1001')}`), [0, 1, 4]);
    assert.deepEqual(await q(`MATCH_epc=${encodeURIComponent('https://id.gs1.org/01/08936012345674/21/1002')}`), [3]);
    assert.deepEqual(await q(`MATCH_anyEPC=${encodeURIComponent('urn:epc:id:sscc:8936012.0000000001')}`), [4]);
    assert.deepEqual(await q(`MATCH_epcClass=${encodeURIComponent('https://id.gs1.org/01/08936012345674/10/L7')}`), [2]);
    assert.deepEqual(await q(`MATCH_epc=${encodeURIComponent('urn:epc:idpat:sgtin:8936012.034567.*')}`), [0, 1, 3, 4]);
    assert.deepEqual(await q(`EQ_eventID=${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000002')}`), [2]);
    const r = await tp.api('GET', `/epcis/epcs/${encodeURIComponent('urn:epc:id:sgtin:8936012.034567.1001')}/events`, undefined, { key: null });
    assert.deepEqual(ids(r.body).sort(), [0, 1, 4]);
    const one = await tp.api('GET', `/epcis/events/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000003')}`, undefined, { key: null, headers: { accept: 'application/ld+json' } });
    assert.equal(one.status, 200);
    assert.match(String(one.headers['content-type']), /application\/ld\+json/);
    assert.deepEqual(ids(one.body), [3]);
    assert.equal((await tp.api('GET', '/epcis/events/urn%3Auuid%3Anope', undefined, { key: null })).status, 404);
  });

  test('orderBy/orderDirection and perPage + nextPageToken paging through Link headers', async () => {
    const seen: number[] = [];
    let url: string | null = '/epcis/events?orderBy=eventTime&orderDirection=ASC&perPage=2';
    let pages = 0;
    while (url) {
      const r = await tp.api('GET', url, undefined, { key: null });
      assert.equal(r.status, 200, r.text);
      seen.push(...ids(r.body));
      const link = r.headers.link as string | undefined;
      url = link ? new URL(/<([^>]+)>/.exec(link)![1]!).pathname + new URL(/<([^>]+)>/.exec(link)![1]!).search : null;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.deepEqual(ids((await tp.api('GET', '/epcis/events?orderBy=eventTime', undefined, { key: null })).body), [4, 3, 2, 1, 0]);
  });

  test('bad parameters → 400 QueryParameterException; Accept: application/xml → 406', async () => {
    for (const qs of ['bogus=1', 'perPage=0', 'perPage=5000', 'orderBy=bizStep', 'GE_eventTime=yesterday', 'EQ_bizStep=nonsense', 'EQ_action=MAYBE', 'nextPageToken=xyz']) {
      const r = await tp.api('GET', `/epcis/events?${qs}`, undefined, { key: null });
      assert.equal(r.status, 400, qs);
      assert.equal((r.body as { type: string }).type, 'epcisException:QueryParameterException', qs);
    }
    const x = await tp.api('GET', '/epcis/events', undefined, { key: null, headers: { accept: 'application/xml' } });
    assert.equal(x.status, 406);
    const v = await tp.api('GET', '/epcis/events', undefined, { key: null, headers: { 'GS1-EPCIS-Min': '3.0.0' } });
    assert.equal(v.status, 406);
    const o = await tp.api('OPTIONS', '/epcis/capture', undefined, { key: null });
    assert.equal(o.status, 204);
    assert.equal(o.headers['gs1-epcis-capture-limit'], '10000');
  });
});
