import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipWithoutSharedData } from '../../testing/shared-data.ts';
import { type CbvVocabulary, cbvUrnToWebUri, resolveCbvValue, vocabularyTerms } from './cbv-vocabulary.ts';
import { EPCIS_DATA, readJson } from './test-corpus.ts';

const skip = skipWithoutSharedData('epcis');

/** Terms a GS1 JSON-LD context file defines (its keys other than keywords and prefixes). */
function contextTerms(file: string, prefix: string): string[] {
  const ctx = (readJson(join(EPCIS_DATA!, 'JSON-LD-Context', file)) as { '@context': Record<string, unknown> })['@context'];
  return Object.entries(ctx)
    .filter(([k, v]) => !k.startsWith('@') && typeof v === 'string' && v.startsWith(prefix))
    .map(([k]) => k)
    .sort();
}

test('our vocabularies equal the terms of GS1 normative JSON-LD contexts', { skip }, () => {
  const cases: Array<[CbvVocabulary, string, string]> = [
    ['bizStep', 'cbv-context-bizstep.jsonld', 'cbv:BizStep-'],
    ['disposition', 'cbv-context-disposition.jsonld', 'cbv:Disp-'],
    ['bizTransactionType', 'cbv-context-biztransaction-type.jsonld', 'cbv:BTT-'],
    ['sourceDestType', 'cbv-context-sourcedest-type.jsonld', 'cbv:SDT-'],
    ['errorReason', 'cbv-context-error-reason.jsonld', 'cbv:ER-'],
    ['component', 'cbv-context-component.jsonld', 'cbv:Comp-'],
    ['measurementType', 'gs1-context-measurement-type.jsonld', 'gs1:'],
    ['sensorAlertType', 'gs1-context-sensor-alert-type.jsonld', 'gs1:'],
  ];
  for (const [vocabulary, file, prefix] of cases) {
    assert.deepEqual([...vocabularyTerms(vocabulary)].sort(), contextTerms(file, prefix), vocabulary);
  }
});

test('resolveCbvValue reads every spelling of a term and classifies the rest', () => {
  const expand = (s: string) => s.replace(/^cbv:/, 'https://ref.gs1.org/cbv/').replace(/^gs1:/, 'https://gs1.org/voc/');
  const shipping = { status: 'standard', term: 'shipping', uri: 'https://ref.gs1.org/cbv/BizStep-shipping' };
  for (const v of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'cbv:BizStep-shipping']) {
    assert.deepEqual(resolveCbvValue('bizStep', v, expand), shipping, v);
  }
  assert.deepEqual(resolveCbvValue('sourceDestType', 'cbv:my_own_party', expand), { status: 'custom', uri: 'https://ref.gs1.org/cbv/my_own_party' });
  assert.equal(resolveCbvValue('measurementType', 'gs1:Temperature', expand).status, 'standard');
  assert.equal(resolveCbvValue('sensorAlertType', 'ALARM_CONDITION').status, 'standard');
  assert.equal(resolveCbvValue('component', 'latitude').status, 'standard');
  assert.equal(resolveCbvValue('bizStep', 'https://ns.gs1.org/cbv/BizStep-shipping').status, 'invalid');
  assert.equal(resolveCbvValue('bizStep', 'Shipping').status, 'invalid', 'terms are case-sensitive');
  assert.equal(resolveCbvValue('errorReason', 'urn:epcglobal:cbv:er:late').status, 'invalid');
  assert.equal(resolveCbvValue('disposition', 'urn:epcglobal:cbv:btt:po').status, 'invalid');
});

test('cbvUrnToWebUri rewrites the CBV 1.x URN forms only', () => {
  assert.equal(cbvUrnToWebUri('urn:epcglobal:cbv:disp:in_transit'), 'https://ref.gs1.org/cbv/Disp-in_transit');
  assert.equal(cbvUrnToWebUri('urn:epcglobal:cbv:btt:po'), 'https://ref.gs1.org/cbv/BTT-po');
  assert.equal(cbvUrnToWebUri('urn:epcglobal:cbv:sdt:owning_party'), 'https://ref.gs1.org/cbv/SDT-owning_party');
  assert.equal(cbvUrnToWebUri('urn:epcglobal:cbv:er:did_not_occur'), 'https://ref.gs1.org/cbv/ER-did_not_occur');
  assert.equal(cbvUrnToWebUri('urn:epcglobal:cbv:bt:8931234500003:PO-88'), 'urn:epcglobal:cbv:bt:8931234500003:PO-88');
  assert.equal(cbvUrnToWebUri('shipping'), 'shipping');
});
