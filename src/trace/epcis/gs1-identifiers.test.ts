import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalGs1Uri, constrainDigitalLink } from './digital-link.ts';
import { epcUriToDigitalLink, gs1CheckDigit } from './epc-uri.ts';

test('GS1 mod-10 check digit', () => {
  assert.equal(gs1CheckDigit('629104150021'), '3'); // GTIN-13 6291041500213 (GS1 GenSpecs example)
  assert.equal(gs1CheckDigit('0893123450001'), '6');
  assert.equal(gs1CheckDigit('00000000000000000'), '0');
});

test('EPC URIs of every GS1 key scheme become canonical Digital Link URIs', () => {
  const cases: Array<[string, string]> = [
    ['urn:epc:id:sgtin:8931234.050001.1001', 'https://id.gs1.org/01/08931234500016/21/1001'],
    ['urn:epc:id:sgtin:415056789012.0.987654', 'https://id.gs1.org/01/04150567890128/21/987654'],
    ['urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()', 'https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29'],
    ['urn:epc:id:sscc:4012345.3111111111', 'https://id.gs1.org/00/340123451111111111'],
    ['urn:epc:id:sgln:8931234.50000.0', 'https://id.gs1.org/414/8931234500009'],
    ['urn:epc:id:sgln:4012345.00005.122', 'https://id.gs1.org/414/4012345000054/254/122'],
    ['urn:epc:id:grai:4012345.00022.334455', 'https://id.gs1.org/8003/04012345000221334455'],
    ['urn:epc:id:giai:4012345.ABC345', 'https://id.gs1.org/8004/4012345ABC345'],
    ['urn:epc:id:gsrn:4012345.0000006765', 'https://id.gs1.org/8018/401234500000067657'],
    ['urn:epc:id:gsrnp:4012345.0000000007', 'https://id.gs1.org/8017/401234500000000074'],
    ['urn:epc:id:gdti:4012345.00009.PO-4711', 'https://id.gs1.org/253/4012345000092PO-4711'],
    ['urn:epc:id:gdti:987659999999..9', 'https://id.gs1.org/253/98765999999929'],
    ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234'],
    ['urn:epc:id:sgcn:4012345.99999.44', 'https://id.gs1.org/255/401234599999044'],
    ['urn:epc:id:ginc:0614141.xyz47%2F11', 'https://id.gs1.org/401/0614141xyz47%2F11'],
    ['urn:epc:id:gsin:4012345.222333444', 'https://id.gs1.org/402/40123452223334442'],
    ['urn:epc:id:itip:4012345.011111.01.02.987', 'https://id.gs1.org/8006/040123451111180102/21/987'],
    ['urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7\'SDB', "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB"],
    ['urn:epc:id:pgln:999999999999.', 'https://id.gs1.org/417/9999999999994'],
    ['urn:epc:class:lgtin:8931234.050002.LOT-2024-05', 'https://id.gs1.org/01/08931234500023/10/LOT-2024-05'],
    ['urn:epc:idpat:sgtin:4012345.066666.*', 'https://id.gs1.org/01/04012345666663'],
    ['urn:epc:idpat:grai:4012345.66666.*', 'https://id.gs1.org/8003/04012345666663'],
    ['urn:epc:idpat:itip:4012345.012345.01.02.*', 'https://id.gs1.org/8006/040123451234560102'],
    ['urn:epc:idpat:cpi:4012345.ABC.*', 'https://id.gs1.org/8010/4012345ABC'],
  ];
  for (const [urn, dl] of cases) assert.equal(epcUriToDigitalLink(urn), dl, urn);
});

test('malformed or non-GS1 EPC URIs are left alone', () => {
  for (const urn of [
    'urn:epc:id:sgtin:8931234.05000.1001', // 12 digits, not 13
    'urn:epc:id:sgtin:89312.0500011.1001', // company prefix too short
    'urn:epc:id:sgtin:8931234.050001.', // empty serial
    'urn:epc:id:sgtin:8931234.050001.123456789012345678901', // serial > 20
    'urn:epc:id:sgtin:8931234.050001.a b', // space
    'urn:epc:id:gid:95100000.12345.400',
    'urn:epc:id:sscc:4012345.311111111', // too short
    'urn:epc:idpat:sgtin:4012345.066666.1',
    'urn:epc:id:__proto__:1.2',
    'urn:epc:id:',
    'urn:epcx:id:sgtin:8931234.050001.1',
  ]) {
    assert.equal(epcUriToDigitalLink(urn), undefined, urn);
  }
});

test('Digital Link URIs are constrained: id.gs1.org, no query, GTIN-14, finest level only', () => {
  const cases: Array<[string, string | undefined]> = [
    ['https://id.gs1.org/gtin/09780345418913', 'https://id.gs1.org/01/09780345418913'],
    ['https://example.com/gtin/09780345418913/21/765tz?abc=211121', 'https://id.gs1.org/01/09780345418913/21/765tz'],
    ['http://shop.example.vn/some/prefix/01/8931234500016/10/LOT1/21/S1#frag', 'https://id.gs1.org/01/08931234500016/21/S1'],
    ['https://id.gs1.org/01/8931234500016/22/2A/10/LOT1', 'https://id.gs1.org/01/08931234500016/10/LOT1'],
    ['https://id.gs1.org/01/12345670', 'https://id.gs1.org/01/00000012345670'],
    ['https://id.gs1.de/414/4012345000115/254/3', 'https://id.gs1.org/414/4012345000115/254/3'],
    ['https://id.example.com/8003/040123450007718765', 'https://id.gs1.org/8003/040123450007718765'],
    ['https://example.com/253/4012345000054987', 'https://id.gs1.org/253/4012345000054987'],
    ['https://id.gs1.org/01/08931234500016/21/A(B', 'https://id.gs1.org/01/08931234500016/21/A%28B'],
    ['https://id.gs1.org/01/08931234500016/21/S1/10/LOT1', undefined], // qualifiers out of order
    ['https://id.gs1.org/01/0893123450001', 'https://id.gs1.org/01/00893123450001'], // GTIN-13 padded
    ['https://www.ncbi.nlm.nih.gov/taxonomy/1126011', undefined],
    ['http://www.opengis.net/def/crs/EPSG/0/27700', undefined],
    ['https://example.com/01/abc', undefined],
    ['ftp://id.gs1.org/01/09780345418913', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(constrainDigitalLink(input), expected, input);
});

test('canonicalGs1Uri dispatches EPC URIs and Digital Link URIs and ignores everything else', () => {
  assert.equal(canonicalGs1Uri('urn:epc:id:sscc:8931234.0000000001'), 'https://id.gs1.org/00/089312340000000011');
  assert.equal(canonicalGs1Uri('https://id.gs1.org/00/089312340000000011'), 'https://id.gs1.org/00/089312340000000011');
  for (const v of ['geo:10.03,105.78', 'urn:epcglobal:cbv:bt:8931234500003:PO-88', 'shipping', '', 'h']) {
    assert.equal(canonicalGs1Uri(v), undefined, v);
  }
});

test('long hostile strings are handled in linear time', () => {
  const long = `https://x.example/${'01/'.repeat(20_000)}`;
  const t0 = performance.now();
  assert.equal(constrainDigitalLink(long), undefined);
  assert.equal(epcUriToDigitalLink(`urn:epc:id:sgtin:8931234.050001.${'%2'.repeat(30_000)}`), undefined);
  assert.equal(epcUriToDigitalLink(`urn:epc:id:giai:8931234.${'a'.repeat(60_000)}`), undefined);
  assert.ok(performance.now() - t0 < 1000);
});
