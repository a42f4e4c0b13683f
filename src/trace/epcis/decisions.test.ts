import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipWithoutSharedData } from '../../testing/shared-data.ts';
import { EPCIS_DATA, readJson } from './test-corpus.ts';
import { validateEpcisDocument } from './validate.ts';

// DECISIONS.md §1: three OpenEPCIS "valid" documents fail GS1's 2023 JSON Schema. Each is rejected
// for exactly the contested point, and accepted once that point is written the standard way.

const skip = skipWithoutSharedData('epcis');
const DOCS = 'openepcis-test-resources/2.0/EPCIS/JSON';

interface Report {
  type?: string;
}
interface Event {
  persistentDisposition?: unknown;
  sensorElementList?: Array<{ sensorReport: Report[] }>;
}
type Doc = { epcisBody: { eventList?: Event[]; queryResults?: { resultsBody: { eventList: Event[] } } } };

function load(rel: string): Doc {
  return readJson(join(EPCIS_DATA!, DOCS, rel)) as Doc;
}

function events(doc: Doc): Event[] {
  return doc.epcisBody.eventList ?? doc.epcisBody.queryResults!.resultsBody.eventList;
}

function errorsOf(doc: unknown) {
  const r = validateEpcisDocument(doc);
  return r.ok ? [] : r.errors;
}

test('AggregationEvent_with_persistentDisposition: rejected (EPCIS 2.0 §7.3.6.2.2)', { skip }, () => {
  const doc = load('Capture/Documents/AggregationEvent_with_persistentDisposition.json');
  const errors = errorsOf(doc);
  assert.deepEqual(errors.map((e) => e.path), ['/epcisBody/eventList/1/persistentDisposition']);
  assert.match(errors[0]!.message, /ObjectEvent and TransformationEvent only/);
  delete events(doc)[1]!.persistentDisposition;
  assert.deepEqual(errorsOf(doc), []);
});

for (const rel of ['Capture/Documents/SensorData_with_combined_events.json', 'Query/SensorData_with_combined_events.json']) {
  test(`${rel}: draft measurement types and type-less alarm reports rejected`, { skip }, () => {
    const doc = load(rel);
    const errors = errorsOf(doc);
    assert.ok(errors.length === 5 && errors.every((e) => /\/sensorReport\/\d+\/type$/.test(e.path)), JSON.stringify(errors));
    const drafts = errors.filter((e) => /not a GS1 MeasurementType/.test(e.message)).map((e) => e.message.split("'")[1]);
    assert.deepEqual(drafts.sort(), ['EffectiveDoseRate', 'Molar_concentration', 'Molar_concentration']);
    assert.equal(errors.filter((e) => e.message === "required property 'type' is missing").length, 2);
    for (const ev of events(doc)) {
      for (const el of ev.sensorElementList ?? []) {
        for (const r of el.sensorReport) {
          // The ratified code list replaced the draft names (gs1/EPCIS#248, #284) ...
          if (r.type === 'Molar_concentration') r.type = 'AmountOfSubstancePerUnitVolume';
          if (r.type === 'EffectiveDoseRate') r.type = 'DoseEquivalentRate';
          // ... and an alarm (exception) qualifies a report of some measurement type (gs1/EPCIS#271).
          r.type ??= 'Temperature';
        }
      }
    }
    assert.deepEqual(errorsOf(doc), []);
  });
}

for (const rel of ['Capture/Documents/TransactionEvent_with_userExtensions.json', 'Query/TransactionEvent_with_userExtensions.json']) {
  test(`${rel}: rejected for EffectiveDoseRate only; its nested user extensions are fine`, { skip }, () => {
    const doc = load(rel);
    const errors = errorsOf(doc);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.path, /\/eventList\/0\/sensorElementList\/0\/sensorReport\/0\/type$/);
    assert.match(errors[0]!.message, /'EffectiveDoseRate' is not a GS1 MeasurementType/);
    events(doc)[0]!.sensorElementList![0]!.sensorReport[0]!.type = 'DoseEquivalentRate';
    assert.deepEqual(errorsOf(doc), []);
  });
}
