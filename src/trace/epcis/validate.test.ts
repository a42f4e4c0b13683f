import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { skipWithoutSharedData } from '../../testing/shared-data.ts';
import { CONTESTED_OPENEPCIS } from './decisions-fixtures.ts';
import { corpusFiles, corpusName, openEpcisInvalidFiles, openEpcisValidFiles, readJson } from './test-corpus.ts';
import { validateEpcisDocument, validateEpcisEvent } from './validate.ts';

const skip = skipWithoutSharedData('epcis');

test('every GS1 example document (JSON/**) is accepted', { skip }, async (t) => {
  const files = corpusFiles('JSON', ['.jsonld']);
  assert.equal(files.length, 47, 'the GS1 example set has 47 JSON-LD documents');
  for (const file of files) {
    await t.test(corpusName(file), () => {
      const r = validateEpcisDocument(readJson(file));
      assert.deepEqual(r.ok ? [] : r.errors, []);
      assert.ok(r.ok && r.events.length > 0);
    });
  }
});

test('every valid OpenEPCIS document is accepted, except the three decided in DECISIONS.md', { skip }, async (t) => {
  const files = openEpcisValidFiles();
  assert.equal(files.length, 52, '38 capture documents, 5 single events, 9 query documents');
  for (const file of files) {
    const contested = CONTESTED_OPENEPCIS.has(basename(file, '.json'));
    await t.test(`${corpusName(file)}${contested ? ' (contested: rejected)' : ''}`, () => {
      const r = validateEpcisDocument(readJson(file));
      if (contested) assert.equal(r.ok, false);
      else assert.deepEqual(r.ok ? [] : r.errors, []);
    });
  }
});

/** Where each OpenEPCIS negative case is wrong; every listed pointer must be reported. */
const EXPECTED_INVALID: Readonly<Record<string, readonly string[]>> = {
  Combination_of_events_with_missing_mandatory_fields: [
    '/epcisBody/eventList/0/action',
    '/epcisBody/eventList/1/eventTimeZoneOffset',
    '/epcisBody/eventList/1/action',
  ],
  Combination_of_multiple_invalid_fields: [
    '/epcisBody/eventList/0/bizStep',
    '/epcisBody/eventList/1/disposition',
    '/epcisBody/eventList/2/sourceList/0/type',
    '/epcisBody/eventList/3/ilmd/materialType',
    '/epcisBody/eventList/4/eventTime',
    '/epcisBody/eventList/4/action',
  ],
  Combination_of_non_standard_bizStep_and_disposition: ['/epcisBody/eventList/0/bizStep', '/epcisBody/eventList/1/disposition'],
  EPCISDocument_without_context: ['/@context'],
  ObjectEvent_with_ilmd_field_without_namespace: ['/epcisBody/eventList/0/ilmd/materialType'],
  ObjectEvent_with_invalid_action: ['/epcisBody/eventList/0/action'],
  ObjectEvent_with_invalid_certificationInfo: ['/epcisBody/eventList/0/certificationInfo/0', '/epcisBody/eventList/0/certificationInfo/1'],
  ObjectEvent_with_invalid_eventTime_format: ['/epcisBody/eventList/0/eventTime'],
  ObjectEvent_with_non_standard_bizStep: ['/epcisBody/eventList/0/bizStep'],
  ObjectEvent_with_non_standard_bizStep_in_second_event: ['/epcisBody/eventList/1/bizStep'],
  ObjectEvent_with_non_standard_disposition: ['/epcisBody/eventList/0/disposition'],
  ObjectEvent_with_quantity_as_text: ['/epcisBody/eventList/0/quantityList/0/quantity'],
  ObjectEvent_with_unknown_field_in_quantityList: ['/epcisBody/eventList/0/quantityList/0/weight'],
  ObjectEvent_without_action_and_eventTime: ['/epcisBody/eventList/0/eventTime', '/epcisBody/eventList/0/action'],
  ObjectEvent_without_identifier_list: ['/epcisBody/eventList/0'],
  QueryDocument_with_invalid_action: ['/epcisBody/queryResults/resultsBody/eventList/0/action'],
  QueryDocument_with_invalid_eventType: ['/epcisBody/queryResults/resultsBody/eventList/0/type'],
};

test('every invalid OpenEPCIS document is rejected with errors pointing at the problem', { skip }, async (t) => {
  const files = openEpcisInvalidFiles();
  assert.equal(files.length, 17, '15 capture and 2 query negative cases');
  for (const file of files) {
    await t.test(corpusName(file), () => {
      const r = validateEpcisDocument(readJson(file));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.ok(r.errors.length > 0);
      for (const e of r.errors) {
        assert.match(e.path, /^(\/.*)?$/, 'path is a JSON Pointer');
        assert.ok(e.message.length > 10, 'message explains the problem');
      }
      const expected = EXPECTED_INVALID[basename(file, '.json')];
      assert.ok(expected, `expectation listed for ${basename(file)}`);
      const paths = r.errors.map((e) => e.path);
      for (const p of expected) assert.ok(paths.includes(p), `error at ${p}; got ${JSON.stringify(r.errors)}`);
    });
  }
});

// ---- behaviour on hand-made input ---------------------------------------------------------------

const CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

function objectEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'ObjectEvent',
    eventTime: '2024-05-01T08:30:00.000+07:00',
    eventTimeZoneOffset: '+07:00',
    epcList: ['https://id.gs1.org/01/08931234500017/10/LOT-2024-05'],
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    readPoint: { id: 'https://id.gs1.org/414/8931234500003' },
    ...extra,
  };
}

function document(events: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': [CONTEXT, { cantho: 'https://ns.cantho.example/epcis/' }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-05-01T09:00:00Z',
    epcisBody: { eventList: events },
    ...extra,
  };
}

test('CBV values are accepted as bare term, CBV URN, CBV Web URI and CURIE', () => {
  for (const bizStep of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'cbv:BizStep-shipping']) {
    const r = validateEpcisDocument(document([objectEvent({ bizStep })]));
    assert.deepEqual(r.ok ? [] : r.errors, [], bizStep);
  }
  const custom = validateEpcisDocument(document([objectEvent({ bizStep: 'https://ns.cantho.example/bizstep/drying' })]));
  assert.equal(custom.ok, true, 'a URI outside the CBV namespace is a user-defined business step');
});

test('a URI that claims a CBV term that does not exist is rejected', () => {
  for (const bizStep of ['urn:epcglobal:cbv:bizstep:drying', 'https://ref.gs1.org/cbv/BizStep-drying', 'cbv:BizStep-drying']) {
    const r = validateEpcisDocument(document([objectEvent({ bizStep })]));
    assert.equal(r.ok, false, bizStep);
    assert.equal(!r.ok && r.errors[0]?.path, '/epcisBody/eventList/0/bizStep');
  }
  const wrongVocabulary = validateEpcisDocument(document([objectEvent({ disposition: 'urn:epcglobal:cbv:bizstep:shipping' })]));
  assert.match(!wrongVocabulary.ok ? wrongVocabulary.errors[0]!.message : '', /business step, not a CBV 2.0 disposition/);
});

test('sensor measurement types: bare GS1 term, gs1: CURIE, full GS1 URI and custom URI', () => {
  const sensor = (type: string) =>
    objectEvent({ sensorElementList: [{ sensorReport: [{ type, value: 4.5, uom: 'CEL' }] }] });
  for (const type of ['Temperature', 'gs1:Temperature', 'https://gs1.org/voc/Temperature', 'cantho:WaterDissolvedOxygen']) {
    const r = validateEpcisDocument(document([sensor(type)]));
    assert.deepEqual(r.ok ? [] : r.errors, [], type);
  }
  for (const type of ['Temp', 'gs1:Temp', 'https://gs1.org/voc/Product']) {
    assert.equal(validateEpcisDocument(document([sensor(type)])).ok, false, type);
  }
});

test('@context: required for documents by default, optional on request and for single events', () => {
  const doc = document([objectEvent()]);
  delete doc['@context'];
  const strict = validateEpcisDocument(doc);
  assert.equal(strict.ok, false);
  assert.deepEqual(!strict.ok && strict.errors.map((e) => e.path), ['/@context']);
  assert.equal(validateEpcisDocument(doc, { context: 'optional' }).ok, true);
  assert.equal(validateEpcisEvent(objectEvent()).ok, true);
  assert.equal(validateEpcisEvent(objectEvent(), { context: 'required' }).ok, false);
  assert.equal(validateEpcisEvent(objectEvent(), { context: 'required', documentContext: CONTEXT }).ok, true);
});

test('a bare top-level event and an EPCISQueryDocument are accepted', () => {
  const bare = validateEpcisDocument({ '@context': CONTEXT, ...objectEvent() });
  assert.ok(bare.ok && bare.kind === 'event' && bare.events.length === 1);
  const query = validateEpcisDocument({
    '@context': CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: '2024-05-01T09:00:00Z',
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [objectEvent(), objectEvent()] } } },
  });
  assert.ok(query.ok && query.kind === 'EPCISQueryDocument' && query.events.length === 2);
});

test('extensions need namespaced names; declared CURIEs and IRIs are fine', () => {
  const ok = validateEpcisDocument(
    document([objectEvent({ 'cantho:pondId': 'P-17', 'https://ns.cantho.example/epcis/harvestWeek': 19, readPoint: { id: 'urn:epc:id:sgln:8931234.50000.0', 'cantho:gate': 'B' } })]),
  );
  assert.deepEqual(ok.ok ? [] : ok.errors, []);
  const bad = validateEpcisDocument(document([objectEvent({ pondId: 'P-17' })]));
  assert.deepEqual(!bad.ok && bad.errors.map((e) => e.path), ['/epcisBody/eventList/0/pondId']);
});

test('timestamps must be xsd:dateTimeStamp with a real date and a zone', () => {
  for (const eventTime of ['2024-02-30T10:00:00Z', '2024-05-01T10:00:00', '2024-05-01 10:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00+15:00']) {
    assert.equal(validateEpcisDocument(document([objectEvent({ eventTime })])).ok, false, eventTime);
  }
  assert.equal(validateEpcisDocument(document([objectEvent({ eventTime: '2024-02-29T23:59:59.123456789-14:00' })])).ok, true);
});

test('never throws on hostile or odd input; reports it as an error instead', () => {
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 100_000; i++) {
    const next: Record<string, unknown> = {};
    cur['x:a'] = next;
    cur = next;
  }
  const cyclic: Record<string, unknown> = objectEvent();
  cyclic['cantho:self'] = cyclic;
  const throwing = new Proxy({}, { ownKeys() { throw new Error('boom'); } });
  const inputs: unknown[] = [
    null, undefined, 42, 'EPCISDocument', [], [document([])], { type: 'EPCISDocument' }, { type: 42 },
    document([null, 1, 'x', []]), document([objectEvent({ 'x:deep': deep })]), cyclic, throwing,
    document([objectEvent({ quantityList: [{ epcClass: 'urn:x:y', quantity: Number.NaN }] })]),
    document([objectEvent({ 'cantho:big': 10n })]), document([objectEvent({ 'cantho:when': new Date(0) })]),
    { ...document([]), epcisBody: { eventList: new Array(200_000).fill(0) } },
    JSON.parse('{"@context":"x","type":"EPCISDocument","__proto__":{"polluted":true}}'),
  ];
  for (const input of inputs) {
    const r = validateEpcisDocument(input);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.errors.length > 0 && typeof r.errors[0]!.path === 'string');
    assert.equal(validateEpcisEvent(input).ok, false);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('the error list is capped', () => {
  const events = Array.from({ length: 300 }, () => objectEvent({ action: 'CREATE' }));
  const r = validateEpcisDocument(document(events), { maxErrors: 20 });
  assert.ok(!r.ok && r.errors.length === 21 && /280 more/.test(r.errors[20]!.message));
});

test('documents with more events than allowed are rejected before event validation', () => {
  const r = validateEpcisDocument(document(Array.from({ length: 11 }, () => objectEvent())), { maxEvents: 10 });
  assert.deepEqual(!r.ok && r.errors.map((e) => e.path), ['/epcisBody/eventList']);
});

test('per-event-type rules of EPCIS 2.0 §7.4 (DECISIONS.md §2, stricter than GS1 where noted)', () => {
  const base = { eventTime: '2024-05-01T08:30:00Z', eventTimeZoneOffset: '+07:00' };
  const agg = (extra: Record<string, unknown>) => ({ ...base, type: 'AggregationEvent', childEPCs: ['urn:epc:id:sgtin:8931234.050001.1'], ...extra });
  const cases: Array<[string, Record<string, unknown>, string | null]> = [
    ['aggregation ADD needs parentID', agg({ action: 'ADD' }), '/epcisBody/eventList/0/parentID'],
    ['aggregation OBSERVE without parentID', agg({ action: 'OBSERVE' }), null],
    ['aggregation DELETE with parent and no children', { ...base, type: 'AggregationEvent', action: 'DELETE', parentID: 'urn:epc:id:sscc:8931234.0000000001' }, null],
    ['aggregation ADD without children', { ...base, type: 'AggregationEvent', action: 'ADD', parentID: 'urn:epc:id:sscc:8931234.0000000001' }, '/epcisBody/eventList/0'],
    ['object event with empty epcList only', objectEvent({ epcList: [] }), '/epcisBody/eventList/0'],
    ['sensor-only object event with read point', objectEvent({ epcList: undefined, sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 5 }] }] }), null],
    ['ilmd with OBSERVE', objectEvent({ ilmd: { 'cantho:harvestDate': '2024-04-30' } }), '/epcisBody/eventList/0/ilmd'],
    ['ilmd with ADD', objectEvent({ action: 'ADD', bizStep: 'commissioning', disposition: 'active', ilmd: { 'cantho:harvestDate': '2024-04-30' } }), null],
    ['duplicate EPCs', objectEvent({ epcList: ['urn:epc:id:sgtin:8931234.050001.1', 'urn:epc:id:sgtin:8931234.050001.1'] }), '/epcisBody/eventList/0/epcList'],
    ['set and unset the same disposition', objectEvent({ persistentDisposition: { set: ['recalled'], unset: ['urn:epcglobal:cbv:disp:recalled'] } }), '/epcisBody/eventList/0/persistentDisposition/unset/0'],
    ['transaction without objects', { ...base, type: 'TransactionEvent', action: 'ADD', bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:8931234500003:PO-1' }] }, '/epcisBody/eventList/0'],
    ['transaction DELETE without objects', { ...base, type: 'TransactionEvent', action: 'DELETE', bizTransactionList: [{ bizTransaction: 'urn:epcglobal:cbv:bt:8931234500003:PO-1' }] }, null],
    ['transformation with inputs only', { ...base, type: 'TransformationEvent', inputEPCList: ['urn:epc:id:sgtin:8931234.050001.1'] }, '/epcisBody/eventList/0'],
    ['transformation with inputs only and an ID', { ...base, type: 'TransformationEvent', transformationID: 'urn:uuid:0b9c1f0e-0000-4000-8000-000000000001', inputEPCList: ['urn:epc:id:sgtin:8931234.050001.1'] }, null],
    ['association without parentID', { ...base, type: 'AssociationEvent', action: 'ADD', childEPCs: ['urn:epc:id:giai:8931234.1'] }, '/epcisBody/eventList/0/parentID'],
    ['extension event type', { ...base, type: 'https://ns.cantho.example/epcis/PondEvent' }, '/epcisBody/eventList/0/type'],
    ['sensor uom not a Rec. 20 code', objectEvent({ sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 5, uom: 'deg C' }] }] }), '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/uom'],
    ['odd-length hexBinary', objectEvent({ sensorElementList: [{ sensorReport: [{ type: 'Temperature', hexBinaryValue: 'ABC' }] }] }), '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/hexBinaryValue'],
  ];
  for (const [name, ev, path] of cases) {
    const r = validateEpcisDocument(document([JSON.parse(JSON.stringify(ev))]));
    if (path === null) assert.deepEqual(r.ok ? [] : r.errors, [], name);
    else assert.ok(!r.ok && r.errors.some((e) => e.path === path), `${name}: ${JSON.stringify(r.ok ? r : r.errors)}`);
  }
});
