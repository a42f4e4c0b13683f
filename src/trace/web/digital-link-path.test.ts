import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import { gs1CheckDigit } from '../epcis/epc-uri.ts';
import { encodeDlValue, lotPath, parseDigitalLinkPath } from './digital-link-path.ts';
import { AI_SPECS, aiValueProblem, checkDigitOk } from './gs1-ai.ts';

const GTIN = `0893601234567${gs1CheckDigit('0893601234567')}`;

test('every AI the resolver knows has exactly the GS1 Barcode Syntax Dictionary entry', { skip: skipWithoutSharedData('gs1') }, () => {
  const lines = readFileSync(sharedDataPath('gs1', 'gs1-syntax-dictionary.txt')!, 'utf8').split('\n');
  const dict = new Map<string, { flags: string; spec: string; attrs: string }>();
  for (const line of lines) {
    if (!/^[0-9]/.test(line)) continue;
    const body = line.split('#')[0]!.trim();
    const m = /^(\d+)(?:-(\d+))?\s+([*?!"$%&'()+,\-./:;<=>@[\\\]^_`{|}~]*)\s+(.*)$/.exec(body);
    assert.ok(m, line);
    const [, from, to, flags, rest] = m;
    // Components are `X..20`-like tokens; attributes are key=value or bare words after them.
    const tokens = rest!.split(/\s+/);
    const spec: string[] = [];
    while (tokens.length && /^\[?[NXYZ]/.test(tokens[0]!)) spec.push(tokens.shift()!);
    const entry = { flags: flags!, spec: spec.join(' '), attrs: tokens.join(' ') };
    if (to) for (let n = Number(from); n <= Number(to); n++) dict.set(String(n).padStart(from!.length, '0'), entry);
    else dict.set(from!, entry);
  }
  assert.ok(dict.size > 400);
  for (const s of AI_SPECS.values()) {
    const d = dict.get(s.ai);
    assert.ok(d, `AI ${s.ai} is in the dictionary`);
    assert.equal(s.spec, d.spec, `AI ${s.ai} format`);
    assert.equal(s.flags, d.flags, `AI ${s.ai} flags`);
    const dl = /(?:^|\s)dlpkey(?:=(\S+))?/.exec(d.attrs);
    assert.equal(s.dlpkey, dl?.[1], `AI ${s.ai} dlpkey`);
  }
});

test('GTIN check digits (GS1 General Specifications §7.9.1)', () => {
  assert.equal(checkDigitOk('08936012345674'), GTIN === '08936012345674');
  assert.equal(checkDigitOk(GTIN), true);
  assert.equal(checkDigitOk(GTIN.slice(0, 13) + ((Number(GTIN[13]) + 1) % 10)), false);
  assert.equal(checkDigitOk('4006381333931'), true); // a well-known EAN-13
  assert.equal(checkDigitOk('96385074'), true); // GTIN-8 example from the GS1 General Specifications
});

test('AI formats: lengths, character set, dates', () => {
  const s = (ai: string) => AI_SPECS.get(ai)!;
  assert.equal(aiValueProblem(s('10'), 'CD-2025-HT1'), null);
  assert.equal(aiValueProblem(s('10'), 'a'.repeat(20)), null);
  assert.match(aiValueProblem(s('10'), 'a'.repeat(21)) ?? '', /dài quá/);
  assert.match(aiValueProblem(s('10'), 'lô 1') ?? '', /CSET 82/);
  assert.match(aiValueProblem(s('10'), '') ?? '', /rỗng/);
  assert.equal(aiValueProblem(s('17'), '251231'), null);
  assert.equal(aiValueProblem(s('17'), '251200'), null, 'yymmd0 allows day 00');
  assert.match(aiValueProblem(s('17'), '251301') ?? '', /tháng/);
  assert.match(aiValueProblem(s('17'), '250230') ?? '', /ngày/);
  assert.equal(aiValueProblem(s('7003'), '2512312359'), null);
  assert.match(aiValueProblem(s('7003'), '2512312460') ?? '', /giờ/);
  assert.match(aiValueProblem(s('01'), '0893601234567') ?? '', /14/);
});

test('Digital Link paths the resolver accepts', () => {
  const ok = (p: string, q = {}) => {
    const r = parseDigitalLinkPath(p, q);
    assert.ok(r.ok, `${p}: ${r.ok ? '' : r.problem.message}`);
    return r.key;
  };
  assert.deepEqual({ ...ok(`/01/${GTIN}/10/CD-2025-HT1`), attributes: null }, { gtin: GTIN, lot: 'CD-2025-HT1', action: 'page', attributes: null });
  assert.equal(ok(`/01/${GTIN}/10/CD-2025-HT1/21/0001`).serial, '0001');
  assert.equal(ok(`/01/${GTIN}/22/2A/10/L1/21/S1`).cpv, '2A');
  assert.equal(ok(`/01/${GTIN}/235/TPX123`).tpx, 'TPX123');
  assert.equal(ok(`/01/${GTIN}`).lot, undefined);
  assert.equal(ok(`/01/${GTIN}/10/L1/`).lot, 'L1', 'trailing slash');
  assert.equal(ok(`/gtin/${GTIN}/lot/L1`).lot, 'L1', 'GS1 DL 1.0 short names');
  assert.equal(ok(`/01/${GTIN.slice(1)}/10/L1`).gtin, GTIN, 'GTIN-13 padded to 14');
  assert.equal(ok(`/01/96385074/10/L1`).gtin, '00000096385074', 'GTIN-8 padded');
  assert.equal(ok(`/01/${GTIN}/10/A%2FB`).lot, 'A/B', 'percent-encoded slash in a lot');
  assert.equal(ok(`/01/${GTIN}/10/L1/qr.svg`).action, 'qr.svg');
  assert.equal(ok(`/01/${GTIN}/10/L1/21/S/qr.png`).action, 'qr.png');
  assert.equal(ok(`/01/${GTIN}/10/L1/label`).action, 'label');
  assert.equal(ok(`/01/${GTIN}/10/L1`, { 17: '261231', linkType: 'gs1:pip', other: 'x' }).attributes.get('17'), '261231');
});

test('Digital Link paths the resolver rejects, each with a Vietnamese reason', () => {
  const bad = (p: string, re: RegExp, q = {}) => {
    const r = parseDigitalLinkPath(p, q);
    assert.equal(r.ok, false, p);
    if (!r.ok) assert.match(r.problem.message, re, p);
  };
  const wrongCheck = GTIN.slice(0, 13) + ((Number(GTIN[13]) + 1) % 10);
  bad(`/01/${wrongCheck}/10/L1`, /số kiểm tra/);
  bad('/01/123/10/L1', /8, 12, 13 hoặc 14 chữ số/);
  bad('/01/0893601234567X/10/L1', /chữ số/);
  bad(`/01/${GTIN}/10`, /cặp/);
  bad(`/414/${GTIN.slice(1)}/10/L1`, /GTIN/);
  bad(`/01/${GTIN}/21/S1/10/L1`, /thứ tự/);
  bad(`/01/${GTIN}/10/L1/10/L2`, /thứ tự/);
  bad(`/01/${GTIN}/10/L1/235/T`, /thứ tự/);
  bad(`/01/${GTIN}/17/261231`, /thứ tự/);
  bad(`/01/${GTIN}/10/${'x'.repeat(21)}`, /số lô \(10\): dài quá/);
  bad(`/01/${GTIN}/10/l%C3%B4`, /CSET 82/);
  bad(`/01/${GTIN}/10/%E0%A4%A`, /mã hóa phần trăm/);
  bad(`/01/${GTIN}/10/L1`, /thuộc tính dữ liệu/, { 21: 'S1' });
  bad(`/01/${GTIN}/10/L1`, /ngày/, { 17: '250231' });
  bad(`/01/${GTIN}/10/L1`, /một lần/, { 17: ['250101', '250102'] });
});

test('Digital Link values are percent-encoded for paths', () => {
  assert.equal(encodeDlValue('A/B (1)*'), 'A%2FB%20%281%29%2A');
  assert.equal(lotPath(GTIN, 'CD-2025-HT1'), `/01/${GTIN}/10/CD-2025-HT1`);
  assert.equal(lotPath(GTIN, 'L 1', 'S/1'), `/01/${GTIN}/10/L%201/21/S%2F1`);
  const r = parseDigitalLinkPath(lotPath(GTIN, "A!'()*+,-.:;=_"));
  assert.ok(r.ok && r.key.lot === "A!'()*+,-.:;=_");
});
