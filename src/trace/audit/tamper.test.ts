import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { forEachBackend } from '../../testing/platform.ts';
import { verifyProofText } from '../cli/verify-proof.ts';
import { eventHashId } from '../epcis/index.ts';
import { Frontier } from '../ledger/frontier.ts';
import { ed25519Generate } from '../log/ed25519.ts';
import { leafTextOf } from '../ledger/proof.service.ts';
import { cosignatureSigner } from '../log/cosignature.ts';
import { leafHash, storedHashIndex } from '../log/merkle.ts';
import { generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../log/note-keys.ts';
import { postSigned, sampleDocument, setupOrg, waitForCheckpoint } from '../testing.ts';
import { localLogClient, memoryState } from '../witness/local-client.ts';
import { witnessOnce } from '../witness/witness.ts';

/**
 * Tamper evidence. Any byte changed directly in the database (event JSON, indexed columns, capture
 * body or signature, org key, tree hash, checkpoint, cosignature) is found by `trace audit`; an
 * operator who rewrites an event and re-signs the log with its own key is caught by the witness
 * (no cosignature, fork alarm) and by `trace verify` with pinned witness keys.
 */
const witness = generateNoteKeys('sokhcn.cantho.gov.vn/witness', SIG_TYPE_COSIGNATURE_V1);

forEachBackend(
  (tp) => {
    const state = memoryState();
    const runWitness = () =>
      witnessOnce({
        log: localLogClient(tp.p.trace.checkpoints, tp.p.trace.proofs),
        logVerifier: tp.p.trace.checkpoints.identity.verifier,
        signer: cosignatureSigner(witness.signerKey),
        state,
      });
    const db = () => tp.p.db.kysely;
    const audit = async () => (await tp.p.trace.audit()).findings;

    test('capture, checkpoint and witness a small log; the audit is clean', async () => {
      const org = await setupOrg(tp, 'tamper-org');
      assert.equal((await postSigned(tp, org, '/epcis/capture', sampleDocument(20, { lot: 'A' }))).status, 202);
      await waitForCheckpoint(tp, 20);
      assert.deepEqual(await runWitness(), { status: 'cosigned', size: 20 });
      assert.equal((await postSigned(tp, org, '/epcis/capture', sampleDocument(13, { lot: 'B' }))).status, 202);
      await waitForCheckpoint(tp, 33);
      assert.deepEqual(await runWitness(), { status: 'cosigned', size: 33 });
      assert.deepEqual(await audit(), []);
    });

    test('trace verify: the proof file of an event verifies offline with pinned keys', async () => {
      const id = (await sql<{ event_id: string }>`SELECT event_id FROM trace_events WHERE leaf_index = 7`.execute(db())).rows[0]!.event_id;
      const r = await tp.api('GET', `/trace/proofs/${encodeURIComponent(id)}`, undefined, { key: null });
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /^c2sp\.org\/tlog-proof@v1\nextra /);
      const ev = await tp.api('GET', `/epcis/events/${encodeURIComponent(id)}`, undefined, { key: null });
      const eventJson = JSON.stringify((ev.body as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }).epcisBody.queryResults.resultsBody.eventList[0]);
      const v = verifyProofText(r.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [witness.verifierKey], quorum: 1, eventJson });
      assert.equal(v.ok, true, v.lines.join('\n'));
      const tampered = verifyProofText(r.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [witness.verifierKey], quorum: 1, eventJson: eventJson.replace('"quantity":17', '"quantity":71') });
      assert.equal(tampered.ok, false);
    });

    const cases: { name: string; table: RegExp; row?: RegExp; apply: () => Promise<() => Promise<void>> }[] = [
      {
        name: 'one byte of a stored event JSON',
        table: /trace_events/,
        row: /leaf 3 /,
        apply: async () => {
          const j = (await sql<{ event_json: string }>`SELECT event_json FROM trace_events WHERE leaf_index = 3`.execute(db())).rows[0]!.event_json;
          await sql`UPDATE trace_events SET event_json = ${j.replace('"quantity":13', '"quantity":19')} WHERE leaf_index = 3`.execute(db());
          return async () => void (await sql`UPDATE trace_events SET event_json = ${j} WHERE leaf_index = 3`.execute(db()));
        },
      },
      {
        name: 'an indexed column (biz_step)',
        table: /trace_events/,
        row: /leaf 4 /,
        apply: async () => {
          await sql`UPDATE trace_events SET biz_step = ${'https://ref.gs1.org/cbv/BizStep-shipping'} WHERE leaf_index = 4`.execute(db());
          return async () => void (await sql`UPDATE trace_events SET biz_step = ${'https://ref.gs1.org/cbv/BizStep-inspecting'} WHERE leaf_index = 4`.execute(db()));
        },
      },
      {
        name: 'the record time',
        table: /trace_events/,
        apply: async () => {
          await sql`UPDATE trace_events SET record_time = record_time + 1 WHERE leaf_index = 5`.execute(db());
          return async () => void (await sql`UPDATE trace_events SET record_time = record_time - 1 WHERE leaf_index = 5`.execute(db()));
        },
      },
      {
        name: 'one character of a capture signature',
        table: /trace_captures|trace_events/,
        apply: async () => {
          const c = (await sql<{ id: string; signature: string }>`SELECT id, signature FROM trace_captures ORDER BY created_at LIMIT 1`.execute(db())).rows[0]!;
          const flipped = (c.signature[10] === 'A' ? 'B' : 'A') + c.signature.slice(11);
          await sql`UPDATE trace_captures SET signature = ${c.signature.slice(0, 10) + flipped} WHERE id = ${c.id}`.execute(db());
          return async () => void (await sql`UPDATE trace_captures SET signature = ${c.signature} WHERE id = ${c.id}`.execute(db()));
        },
      },
      {
        name: 'one byte of a capture body',
        table: /trace_captures/,
        apply: async () => {
          const c = (await sql<{ id: string; body: string }>`SELECT id, body FROM trace_captures ORDER BY created_at DESC LIMIT 1`.execute(db())).rows[0]!;
          await sql`UPDATE trace_captures SET body = ${c.body.replace('"quantity":10', '"quantity":90')} WHERE id = ${c.id}`.execute(db());
          return async () => void (await sql`UPDATE trace_captures SET body = ${c.body} WHERE id = ${c.id}`.execute(db()));
        },
      },
      {
        name: "an organisation's registered public key",
        table: /trace_captures/,
        apply: async () => {
          const k = (await sql<{ key_id: string; public_key: string }>`SELECT key_id, public_key FROM trace_org_keys LIMIT 1`.execute(db())).rows[0]!;
          const other = Buffer.from(ed25519Generate().publicKey).toString('base64');
          await sql`UPDATE trace_org_keys SET public_key = ${other} WHERE key_id = ${k.key_id}`.execute(db());
          return async () => void (await sql`UPDATE trace_org_keys SET public_key = ${k.public_key} WHERE key_id = ${k.key_id}`.execute(db()));
        },
      },
      ...[0, 1, 3, 21].map((idx) => ({
        name: `one byte of stored tree hash ${idx}`,
        table: /trace_log_hashes/,
        row: new RegExp(`^idx ${idx} `),
        apply: async () => {
          const h = (await sql<{ hash: Uint8Array }>`SELECT hash FROM trace_log_hashes WHERE idx = ${idx}`.execute(db())).rows[0]!.hash;
          const bad = Buffer.from(h);
          bad[7]! ^= 0x01;
          await sql`UPDATE trace_log_hashes SET hash = ${bad} WHERE idx = ${idx}`.execute(db());
          return async () => void (await sql`UPDATE trace_log_hashes SET hash = ${Buffer.from(h)} WHERE idx = ${idx}`.execute(db()));
        },
      })),
      {
        name: 'the log signature of a checkpoint',
        table: /trace_checkpoints/,
        apply: async () => {
          const n = (await sql<{ note: string }>`SELECT note FROM trace_checkpoints WHERE size = 20`.execute(db())).rows[0]!.note;
          const i = n.length - 10;
          await sql`UPDATE trace_checkpoints SET note = ${n.slice(0, i) + (n[i] === 'A' ? 'B' : 'A') + n.slice(i + 1)} WHERE size = 20`.execute(db());
          return async () => void (await sql`UPDATE trace_checkpoints SET note = ${n} WHERE size = 20`.execute(db()));
        },
      },
      {
        name: 'a stored witness cosignature',
        table: /trace_cosignatures/,
        apply: async () => {
          const l = (await sql<{ line: string }>`SELECT line FROM trace_cosignatures WHERE size = 33`.execute(db())).rows[0]!.line;
          const i = l.length - 10;
          await sql`UPDATE trace_cosignatures SET line = ${l.slice(0, i) + (l[i] === 'A' ? 'B' : 'A') + l.slice(i + 1)} WHERE size = 33`.execute(db());
          return async () => void (await sql`UPDATE trace_cosignatures SET line = ${l} WHERE size = 33`.execute(db()));
        },
      },
    ];
    for (const c of cases) {
      test(`trace audit finds a change to ${c.name}`, async () => {
        const revert = await c.apply();
        try {
          const f = await audit();
          assert.ok(f.length > 0, 'no finding');
          assert.ok(f.some((x) => c.table.test(x.table) && (!c.row || c.row.test(x.row))), JSON.stringify(f, null, 1));
        } finally {
          await revert();
        }
        assert.deepEqual(await audit(), [], 'clean again after revert');
      });
    }

    test('an operator rewrites an event and re-signs the log with its own key: witness refuses, trace verify fails', async () => {
      const row = (await sql<{ event_id: string; event_json: string }>`SELECT event_id, event_json FROM trace_events WHERE leaf_index = 2`.execute(db())).rows[0]!;
      const forged = row.event_json.replace('"quantity":12', '"quantity":1200');
      assert.notEqual(forged, row.event_json);
      await sql`UPDATE trace_events SET event_json = ${forged}, event_hash = ${eventHashId(JSON.parse(forged))} WHERE leaf_index = 2`.execute(db());
      // Rebuild every tree hash from the (forged) rows and sign a fresh checkpoint with the log key.
      const leaves = await tp.p.trace.store.leaves(0, 33);
      const f = Frontier.empty();
      await sql`DELETE FROM trace_log_hashes`.execute(db());
      await sql`DELETE FROM trace_cosignatures`.execute(db());
      await sql`DELETE FROM trace_checkpoints`.execute(db());
      let idx = 0;
      for (const l of leaves) {
        for (const h of f.append(leafHash(new TextEncoder().encode(leafTextOf(l))))) {
          await sql`INSERT INTO trace_log_hashes (idx, hash) VALUES (${idx++}, ${Buffer.from(h)})`.execute(db());
        }
      }
      assert.equal(idx, storedHashIndex(0, 33));
      assert.equal(await tp.p.trace.checkpoints.publish(), 33);
      const w = await runWitness();
      assert.equal(w.status, 'fork', JSON.stringify(w));
      const proof = await tp.api('GET', `/trace/proofs/${encodeURIComponent(row.event_id)}`, undefined, { key: null });
      assert.equal(proof.status, 200);
      const v = verifyProofText(proof.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [witness.verifierKey], quorum: 1, eventJson: forged });
      assert.equal(v.ok, false);
      assert.ok(v.lines.some((l) => /^FAIL witnesses/.test(l)), v.lines.join('\n'));
      assert.ok(v.lines.some((l) => /^ok {3}log-signature/.test(l)), 'the operator key still signs');
      assert.ok(v.lines.some((l) => /^ok {3}inclusion/.test(l)), 'the forged tree is internally consistent');
      const findings = await audit();
      assert.equal(findings.length, 1, JSON.stringify(findings));
      assert.equal(findings[0]!.table, 'trace_events');
      assert.match(findings[0]!.row, /^leaf 2 /);
      assert.match(findings[0]!.problem, /the signed capture c_\S+ holds another event at position 2/);
    });
  },
  { CANTHO_TRACE_WITNESS_KEYS: witness.verifierKey },
);
