import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { skipWithoutSharedData } from '../../testing/shared-data.ts';
import { GS1_SCHEMA_DIFFERENCES } from './decisions-fixtures.ts';
import { corpusFiles, corpusName, EPCIS_DATA, readJson } from './test-corpus.ts';
import { validateEpcisDocument } from './validate.ts';

// Our validator and GS1's published EPCIS 2.0 JSON Schema (test material, compiled here only) must
// give the same verdict on every shared document, except the differences recorded in
// decisions-fixtures.ts and explained in DECISIONS.md §2.

const skip = skipWithoutSharedData('epcis');
const addFormats = addFormatsModule.default ?? addFormatsModule;

function gs1Validators(): { inlined: ValidateFunction; modular: ValidateFunction } {
  const root = EPCIS_DATA!;
  const a = new Ajv({ strict: false });
  addFormats(a);
  const inlined = a.compile(readJson(join(root, 'EPCIS-JSON-Schema.json')) as object);
  const b = new Ajv({ strict: false });
  addFormats(b);
  const dir = join(root, 'JSON-Schema');
  for (const f of [...readdirSync(dir).map((n) => join(dir, n)), ...readdirSync(join(dir, 'schemas')).map((n) => join(dir, 'schemas', n))]) {
    if (f.endsWith('.json')) b.addSchema(readJson(f) as object);
  }
  const modular = b.getSchema('https://gs1.github.io/EPCIS/JSON-Schema/EPCIS-JSON-Schema.json');
  assert.ok(modular, 'modular GS1 root schema compiles');
  return { inlined, modular };
}

test('same verdict as GS1 EPCIS 2.0 JSON Schema on every shared document (documented differences aside)', { skip }, async (t) => {
  const { inlined, modular } = gs1Validators();
  const files = [
    ...corpusFiles('JSON'),
    ...corpusFiles('openepcis-test-resources'),
    ...corpusFiles('event-hash-vectors'),
    ...corpusFiles('XML/WithEventHashID'),
  ];
  assert.ok(files.length >= 140);
  const differences: string[] = [];
  for (const file of files) {
    const name = corpusName(file);
    await t.test(name, () => {
      const doc = readJson(file);
      const gs1 = inlined(doc);
      assert.equal(modular(doc), gs1, 'GS1 inlined and modular schemas agree');
      const ours = validateEpcisDocument(doc).ok;
      const documented = GS1_SCHEMA_DIFFERENCES.get(name);
      if (documented) {
        differences.push(name);
        assert.equal(ours, documented.ours, documented.why);
        assert.notEqual(ours, gs1, `documented difference no longer differs: ${documented.why}`);
      } else {
        assert.equal(ours, gs1, `ours ${ours ? 'accepts' : 'rejects'}, GS1 ${gs1 ? 'accepts' : 'rejects'}`);
      }
    });
  }
  assert.deepEqual(differences.sort(), [...GS1_SCHEMA_DIFFERENCES.keys()].sort(), 'every documented difference was exercised');
});
