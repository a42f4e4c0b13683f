import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { forEachBackend } from '../../testing/platform.ts';
import { verifyProofText } from '../cli/verify-proof.ts';
import { parseLeaf } from '../ledger/leaf.ts';
import { cosignatureSigner } from '../log/cosignature.ts';
import { formatNote, parseNote, signNoteText } from '../log/note.ts';
import { ed25519NoteVerifier, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../log/note-keys.ts';
import { parseEntryBundle } from '../log/tiles.ts';
import { postSigned, sampleDocument, setupOrg, waitForCheckpoint } from '../testing.ts';
import { fileState } from './state-file.ts';
import { httpLogClient, witnessOnce } from './witness.ts';

/** fetch() served by the in-process app (the witness talks HTTP without a listening socket). */
function injectFetch(app: FastifyInstance): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(input));
    const r = await app.inject({ method: (init?.method ?? 'GET') as 'GET', url: u.pathname + u.search, payload: init?.body as string | undefined, headers: init?.headers as Record<string, string> });
    return new Response(r.statusCode === 204 ? null : new Uint8Array(r.rawPayload), { status: r.statusCode, headers: r.headers as Record<string, string> });
  }) as typeof fetch;
}

const w1 = generateNoteKeys('sokhcn.cantho.gov.vn/witness', SIG_TYPE_COSIGNATURE_V1);
const w2 = generateNoteKeys('ctu.edu.vn/witness', SIG_TYPE_COSIGNATURE_V1);
const stranger = generateNoteKeys('stranger.example/witness', SIG_TYPE_COSIGNATURE_V1);

forEachBackend(
  (tp) => {
    const dir = mkdtempSync(join(tmpdir(), 'cantho-witness-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const run = (skey: string, stateFile: string) =>
      witnessOnce({
        log: httpLogClient('http://log.test/trace/log', injectFetch(tp.p.app)),
        logVerifier: ed25519NoteVerifier(tp.p.trace.trust().logKey),
        signer: cosignatureSigner(skey),
        state: fileState(join(dir, stateFile)),
      });

    test('two witnesses cosign over HTTP; the quorum makes the checkpoint witnessed; state files track growth', async () => {
      const org = await setupOrg(tp, 'w-org');
      assert.equal((await tp.api('GET', '/trace/log/checkpoint', undefined, { key: null })).status, 404);
      await postSigned(tp, org, '/epcis/capture', sampleDocument(300, { lot: 'W1' }));
      await waitForCheckpoint(tp, 300);
      assert.deepEqual(await run(w1.signerKey, 'w1.json'), { status: 'cosigned', size: 300 });
      assert.equal((await tp.api('GET', '/trace/log/witnessed-checkpoint', undefined, { key: null })).status, 404, 'quorum is 2');
      assert.deepEqual(await run(w2.signerKey, 'w2.json'), { status: 'cosigned', size: 300 });
      const wc = await tp.api('GET', '/trace/log/witnessed-checkpoint', undefined, { key: null });
      assert.equal(wc.status, 200);
      assert.equal(parseNote(wc.text).signatures.length, 3);
      await postSigned(tp, org, '/epcis/capture', sampleDocument(10, { lot: 'W2' }));
      await waitForCheckpoint(tp, 310);
      assert.deepEqual(await run(w1.signerKey, 'w1.json'), { status: 'cosigned', size: 310 });
      const keys = (await tp.api('GET', '/trace/log/keys', undefined, { key: null })).body as { quorum: number; witnesses: unknown[] };
      assert.equal(keys.quorum, 2);
      assert.equal(keys.witnesses.length, 2);
    });

    test('proof files use the latest witnessed checkpoint that covers the event', async () => {
      const id = (await tp.p.trace.store.leaves(5, 6))[0]!.eventId;
      const proof = await tp.api('GET', `/trace/proofs/${encodeURIComponent(id)}`, undefined, { key: null });
      const ok = verifyProofText(proof.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [w1.verifierKey, w2.verifierKey], quorum: 2 });
      assert.equal(ok.ok, true, ok.lines.join('\n'));
      assert.match(proof.text, /\n300\n/);
      const newer = (await tp.p.trace.store.leaves(305, 306))[0]!.eventId;
      const p2 = await tp.api('GET', `/trace/proofs/${encodeURIComponent(newer)}`, undefined, { key: null });
      const v2 = verifyProofText(p2.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [w1.verifierKey, w2.verifierKey], quorum: 2 });
      assert.equal(v2.ok, false, 'only one witness has seen size 310 yet');
      assert.equal(verifyProofText(p2.text, { logKey: tp.p.trace.trust().logKey, witnessKeys: [w1.verifierKey], quorum: 1 }).ok, true);
    });

    test('cosignature intake refuses strangers, forged text and broken signatures', async () => {
      const cp = (await tp.api('GET', '/trace/log/checkpoint', undefined, { key: null })).text;
      const text = parseNote(cp).text;
      const post = (body: string) => tp.api('POST', '/trace/log/cosignatures', body, { key: null, headers: { 'content-type': 'text/plain' } });
      const byStranger = formatNote(text, [signNoteText(text, cosignatureSigner(stranger.signerKey))]);
      assert.equal((await post(byStranger)).status, 400);
      const forged = text.replace(/\n(\d+)\n/, (_m, n) => `\n${Number(n) + 1}\n`);
      assert.equal((await post(formatNote(forged, [signNoteText(forged, cosignatureSigner(w2.signerKey))]))).status, 400);
      const good = formatNote(text, [signNoteText(text, cosignatureSigner(w2.signerKey))]);
      const broken = good.replace(/(— ctu\.edu\.vn\/witness \S{20})(\S)/, (_m, a, c) => `${a}${c === 'A' ? 'B' : 'A'}`);
      assert.equal((await post(broken)).status, 400);
      const r = await post(good);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual((r.body as { accepted: string[] }).accepted, ['ctu.edu.vn/witness']);
    });

    test('tlog-tiles entry bundles hold the leaf bytes; a full tile is immutable', async () => {
      const r = await tp.p.app.inject({ method: 'GET', url: '/trace/log/tile/entries/000' });
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['cache-control']), /immutable/);
      const entries = parseEntryBundle(new Uint8Array(r.rawPayload), 256);
      const leaf = parseLeaf(new TextDecoder().decode(entries[17]));
      assert.ok(leaf);
      assert.equal(leaf.org, 'w-org');
      const partial = await tp.p.app.inject({ method: 'GET', url: '/trace/log/tile/entries/001.p/54' });
      assert.equal(partial.statusCode, 200);
      assert.equal((await tp.p.app.inject({ method: 'GET', url: '/trace/log/tile/entries/001.p/55' })).statusCode, 404);
      assert.equal((await tp.p.app.inject({ method: 'GET', url: '/trace/log/tile/1/000.p/1' })).statusCode, 200);
    });

    test('a witness refuses a log that shrank (rollback) and keeps its state', async () => {
      const stateFile = 'w-rollback.json';
      await fileState(join(dir, stateFile)).save({ origin: tp.p.trace.trust().origin, size: 100_000, root: Buffer.alloc(32).toString('base64') });
      const r = await run(w1.signerKey, stateFile);
      assert.equal(r.status, 'fork');
      assert.equal((await fileState(join(dir, stateFile)).load())!.size, 100_000);
    });
  },
  { CANTHO_TRACE_WITNESS_KEYS: `${w1.verifierKey},${w2.verifierKey}`, CANTHO_TRACE_WITNESS_QUORUM: '2' },
);
