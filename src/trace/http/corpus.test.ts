import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { skipWithoutSharedData } from '../../testing/shared-data.ts';
import { CONTESTED_OPENEPCIS } from '../epcis/decisions-fixtures.ts';
import { eventHashId } from '../epcis/index.ts';
import { corpusFiles, corpusName, openEpcisInvalidFiles, openEpcisValidFiles } from '../epcis/test-corpus.ts';
import { postSigned, resetLedger, setupOrg, type TestOrg } from '../testing.ts';

/**
 * Shared test material through the real capture API: every GS1 EPCIS 2.0 JSON example and every
 * OpenEPCIS "valid" document is accepted (POST /epcis/capture, or /epcis/events for single
 * events); every OpenEPCIS invalid document is refused with 400 naming the problem. Several
 * example files reuse each other's eventIDs, so the log is emptied before a file that would clash.
 */
const skip = skipWithoutSharedData('epcis');

function eventsOf(doc: Record<string, unknown>): Record<string, unknown>[] {
  if (doc.type === 'EPCISDocument') return ((doc.epcisBody as { eventList?: unknown[] }).eventList ?? []) as Record<string, unknown>[];
  if (doc.type === 'EPCISQueryDocument') return ((doc.epcisBody as { queryResults: { resultsBody: { eventList?: unknown[] } } }).queryResults.resultsBody.eventList ?? []) as Record<string, unknown>[];
  return [doc];
}

forEachBackend((tp) => {
  let org: TestOrg;
  const seen = new Set<string>();
  const post = async (file: string) => {
    const text = readFileSync(file, 'utf8');
    const doc = JSON.parse(text) as Record<string, unknown>;
    const ids = eventsOf(doc).map((e) => (typeof e.eventID === 'string' ? e.eventID : eventHashId(e, { context: doc['@context'] })));
    if (ids.some((id) => seen.has(id))) {
      await resetLedger(tp);
      seen.clear();
    }
    for (const id of ids) seen.add(id);
    const single = doc.type !== 'EPCISDocument' && doc.type !== 'EPCISQueryDocument';
    return postSigned(tp, org, single ? '/epcis/events' : '/epcis/capture', text);
  };

  test('setup', { skip }, async () => {
    org = await setupOrg(tp, 'corpus-org');
  });

  test('every GS1 EPCIS 2.0 JSON example is captured', { skip }, async () => {
    const files = corpusFiles('JSON');
    assert.ok(files.length >= 40, `found ${files.length}`);
    for (const f of files) {
      const r = await post(f);
      assert.ok(r.status === 202 || r.status === 201, `${corpusName(f)}: ${r.status} ${r.text.slice(0, 400)}`);
      if (r.status === 202) assert.equal((r.body as { success: boolean }).success, true, corpusName(f));
    }
  });

  test('OpenEPCIS valid documents are captured (except the three DECISIONS.md §1 rejects, which get 400)', { skip }, async () => {
    for (const f of openEpcisValidFiles()) {
      const r = await post(f);
      if (CONTESTED_OPENEPCIS.has(basename(f).replace(/\.json(ld)?$/, ''))) {
        assert.equal(r.status, 400, `${corpusName(f)} is contested and must be refused`);
        continue;
      }
      assert.ok(r.status === 202 || r.status === 201, `${corpusName(f)}: ${r.status} ${r.text.slice(0, 400)}`);
    }
  });

  test('OpenEPCIS invalid documents → 400 ValidationException naming the problem', { skip }, async () => {
    const files = openEpcisInvalidFiles();
    assert.ok(files.length >= 15);
    for (const f of files) {
      const r = await post(f);
      assert.equal(r.status, 400, `${corpusName(f)}: ${r.status} ${r.text.slice(0, 300)}`);
      const b = r.body as { type: string; detail: string; code: string };
      assert.match(r.headers['content-type'] as string, /application\/problem\+json/);
      assert.ok(b.code === 'EPCIS_VALIDATION' || b.code === 'INVALID_JSON', `${corpusName(f)}: ${b.code}`);
      assert.equal(b.type, 'epcisException:ValidationException');
      assert.ok(b.detail.length > 20, `${corpusName(f)}: ${b.detail}`);
    }
  });
});
