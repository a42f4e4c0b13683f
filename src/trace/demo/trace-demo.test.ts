import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachBackend } from '../../testing/platform.ts';
import { parseLeaf } from '../ledger/leaf.ts';
import { openCheckpoint } from '../log/checkpoint.ts';
import { cosignatureVerifier } from '../log/cosignature.ts';
import { ed25519PublicKey, ed25519Verify } from '../log/ed25519.ts';
import { leafHash, verifyInclusion } from '../log/merkle.ts';
import { checkNoteSignatures, parseNote } from '../log/note.ts';
import { ed25519NoteVerifier } from '../log/note-keys.ts';
import { sha256Tagged } from '../signing/capture-signature.ts';
import { DEMO_LOTS } from './demo-ids.ts';
import { startTraceDemo } from './trace-demo.ts';

interface Journey {
  product: { name: string };
  producer: { code: string; certificates: unknown[] };
  events: {
    bizStep: string;
    place: { lat: number; lon: number; name: string } | null;
    actor: { code: string };
    event: Record<string, unknown>;
    verification: { eventJson: string; leafIndex: number; leaf: string; capture: { publicKey: string; signature: string; signatureBase: string; keyId: string; digest: string }; inclusion: { treeSize: number; hashes: string[] } };
  }[];
  log: { checkpoint: string; treeSize: number; witnessed: boolean };
  trust: { origin: string; logKey: string; witnesses: { name: string; key: string }[]; quorum: number };
}

/** Does, in Node, every check the consumer page does in the browser for one journey. */
function verifyJourney(j: Journey): void {
  const logV = ed25519NoteVerifier(j.trust.logKey);
  const { checkpoint } = openCheckpoint(j.log.checkpoint, { verifiers: [logV] });
  const cosigs = checkNoteSignatures(parseNote(j.log.checkpoint), j.trust.witnesses.map((w) => cosignatureVerifier(w.key)));
  assert.ok(cosigs.filter((c) => c.status === 'verified').length >= j.trust.quorum, 'witness quorum');
  for (const e of j.events) {
    const v = e.verification;
    const leaf = parseLeaf(v.leaf);
    assert.ok(leaf, 'leaf parses');
    assert.equal(leaf.eventJson, sha256Tagged(v.eventJson), 'event JSON is the one in the leaf');
    assert.deepEqual(JSON.parse(v.eventJson), e.event);
    assert.equal(v.capture.signatureBase, `cantho-capture/v1\nkey ${leaf.keyId}\ndigest ${leaf.captureDigest}\n`);
    assert.equal(v.capture.signature, leaf.signature);
    const pub = ed25519PublicKey(new Uint8Array(Buffer.from(v.capture.publicKey, 'base64')));
    assert.ok(ed25519Verify(pub, new TextEncoder().encode(v.capture.signatureBase), new Uint8Array(Buffer.from(v.capture.signature, 'base64'))), 'org signature');
    assert.equal(v.inclusion.treeSize, checkpoint.size);
    const proof = v.inclusion.hashes.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
    assert.ok(verifyInclusion(v.leafIndex, checkpoint.size, leafHash(new TextEncoder().encode(v.leaf)), proof, checkpoint.rootHash), 'inclusion');
  }
}

forEachBackend((tp) => {
  test('demo seeds both chains; the lot APIs verify end to end like the consumer page; re-seeding adds nothing', async () => {
    const demo = await startTraceDemo(tp.p, { witnessIntervalMs: 60_000 });
    await demo.witnessed;
    const size = await tp.p.trace.store.size();
    assert.equal(size, 19);
    const rice = await tp.api('GET', `/trace/api/lots/${DEMO_LOTS.rice.gtin}/${DEMO_LOTS.rice.lot}`, undefined, { key: null });
    assert.equal(rice.status, 200, rice.text);
    const rj = rice.body as Journey;
    assert.equal(rj.product.name, 'Gạo ST25 Thạnh Phú – túi 5 kg');
    assert.equal(rj.producer.code, 'htx-thanh-phu');
    assert.equal(rj.events.length, 11);
    assert.deepEqual([...new Set(rj.events.map((e) => e.actor.code))], ['htx-thanh-phu', 'xay-xat-thoi-lai', 'dong-goi-o-mon', 'mekong-logistics', 'sieu-thi-ninh-kieu']);
    assert.equal(rj.events[0]!.bizStep, 'commissioning');
    assert.ok(rj.events.every((e) => e.place && e.place.lat > 9.9 && e.place.lon > 105.2));
    assert.equal(rj.log.witnessed, true);
    verifyJourney(rj);
    // GTIN-13 in the URL works too; the fish lot was captured with an EPC class URN.
    const fish = await tp.api('GET', `/trace/api/lots/${DEMO_LOTS.pangasius.gtin.slice(1)}/${DEMO_LOTS.pangasius.lot}`, undefined, { key: null });
    assert.equal(fish.status, 200, fish.text);
    const fj = fish.body as Journey;
    assert.equal(fj.events.length, 8);
    assert.equal(fj.events[0]!.actor.code, 'ca-tra-thot-not');
    verifyJourney(fj);
    assert.equal((await tp.api('GET', `/trace/api/lots/${DEMO_LOTS.rice.gtin}/NOPE`, undefined, { key: null })).status, 404);
    assert.equal((await tp.api('GET', '/trace/api/lots/08938501100056/X', undefined, { key: null })).status, 400);
    const again = await startTraceDemo(tp.p, { witnessIntervalMs: 60_000 });
    await again.witnessed;
    assert.equal(await tp.p.trace.store.size(), size);
    assert.deepEqual((await tp.p.trace.audit()).findings, []);
  });
});
