import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { sharedDataPath, skipWithoutSharedData } from '../../../testing/shared-data.ts';
import { documentEventHashes } from '../../epcis/event-hash.ts';
import { formatCheckpoint } from '../../log/checkpoint.ts';
import { cosignatureSigner } from '../../log/cosignature.ts';
import { leafHash as nodeLeafHash } from '../../log/hashing.ts';
import { inclusionProof } from '../../log/inclusion-proof.ts';
import { MemoryHashStore } from '../../log/memory-store.ts';
import { formatNote, openNote, parseNote as nodeParseNote, signNote, signNoteText } from '../../log/note.ts';
import { ed25519NoteSigner, ed25519NoteVerifier, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '../../log/note-keys.ts';
import { inclusionProofError as nodeInclusionError } from '../../log/verify-inclusion.ts';
import { decodeBase64, encodeBase64, utf8 } from './bytes.ts';
import { eventHashIdWeb } from './event-hash.ts';
import { inclusionProofError, leafHash } from './inclusion.ts';
import { importVerifierKey, parseCheckpoint, parseNote, verifyCosignatureV1, verifyEd25519NoteSignature } from './note.ts';

/**
 * The browser verifier's primitives (WebCrypto, run here with Node 20's globalThis.crypto.subtle)
 * against the shared known-answer vectors and, differentially, against the node:crypto library of
 * src/trace/log that the backend uses.
 */

const b64 = (s: string | null | undefined): Uint8Array => (s ? new Uint8Array(Buffer.from(s, 'base64')) : new Uint8Array(0));

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

test('strict base64: canonical only', () => {
  assert.deepEqual(decodeBase64('AAEC'), Uint8Array.of(0, 1, 2));
  assert.deepEqual(decodeBase64('AAE='), Uint8Array.of(0, 1));
  assert.equal(decodeBase64('AAF='), null, 'non-zero unused bits');
  assert.equal(decodeBase64('AAE'), null, 'missing padding');
  assert.equal(decodeBase64('AA-_'), null, 'URL alphabet');
  assert.equal(decodeBase64('AA E='), null);
  assert.equal(encodeBase64(Uint8Array.of(255, 254)), '//4=');
});

test('RFC 9162 inclusion: every transparency-dev/merkle inclusion vector', { skip: skipWithoutSharedData('merkle') }, async () => {
  const files = jsonFiles(sharedDataPath('merkle', 'transparency-dev-merkle', 'testdata', 'inclusion')!);
  assert.ok(files.length > 50);
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; wantErr: boolean };
    const proof = (v.proof ?? []).map(b64);
    const err = await inclusionProofError(v.leafIdx, v.treeSize, b64(v.leafHash), proof, b64(v.root));
    assert.equal(err !== null, v.wantErr, `${f}: ${err}`);
    assert.equal(err === null, nodeInclusionError(v.leafIdx, v.treeSize, b64(v.leafHash), proof, b64(v.root)) === null, `${f}: differs from src/trace/log`);
  }
});

test('RFC 9162: 8-leaf reference (leaf hashes and all 36 inclusion proofs)', { skip: skipWithoutSharedData('merkle') }, async () => {
  const ref = JSON.parse(readFileSync(sharedDataPath('merkle', 'rfc6962-reference-8leaf.json')!, 'utf8')) as Record<string, unknown>;
  const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  const inputs = ref.leaves as string[];
  const hashes = (ref.leafHashes as string[]).map(hex);
  assert.equal(inputs.length, 8);
  for (const [i, input] of inputs.entries()) assert.deepEqual(await leafHash(hex(input)), hashes[i]);
  const roots = ref.roots as Record<string, string>;
  const proofs = ref.inclusion as { leafIndex: number; treeSize: number; proof: string[] }[];
  assert.equal(proofs.length, 36);
  for (const p of proofs) {
    const idx = p.leafIndex;
    const root = hex(roots[String(p.treeSize)]!);
    assert.equal(await inclusionProofError(idx, p.treeSize, hashes[idx]!, p.proof.map(hex), root), null);
    if (p.proof.length > 0) {
      const bad = p.proof.map(hex);
      bad[0] = Uint8Array.from(bad[0]!, (x, k) => (k === 0 ? x ^ 1 : x));
      assert.notEqual(await inclusionProofError(idx, p.treeSize, hashes[idx]!, bad, root), null);
    }
  }
});

test('signed-note known-answer vectors verify with WebCrypto, and a flipped bit does not', { skip: skipWithoutSharedData('merkle') }, async () => {
  const { vectors } = JSON.parse(readFileSync(sharedDataPath('merkle', 'signed-note-vectors.json')!, 'utf8')) as { vectors: { verifierKey: string; text: string; note: string }[] };
  for (const v of vectors) {
    const key = await importVerifierKey(v.verifierKey, SIG_TYPE_ED25519);
    const note = parseNote(v.note);
    assert.equal(note.text, v.text);
    assert.equal(note.signatures.length, 1);
    assert.equal(await verifyEd25519NoteSignature(key, note.text, note.signatures[0]!), true);
    assert.equal(await verifyEd25519NoteSignature(key, note.text.replace('.', '!'), note.signatures[0]!), false);
  }
  await assert.rejects(importVerifierKey(vectors[0]!.verifierKey.replace('+c74f20a3+', '+c74f20a4+'), SIG_TYPE_ED25519), /key ID/);
  await assert.rejects(importVerifierKey(vectors[0]!.verifierKey, SIG_TYPE_COSIGNATURE_V1), /type/);
});

test('checkpoints and cosignatures made by src/trace/log verify here; tampering is caught', async () => {
  const log = generateNoteKeys('cantho.example/log');
  const w = generateNoteKeys('witness.example', SIG_TYPE_COSIGNATURE_V1);
  const store = new MemoryHashStore();
  for (let i = 0; i < 37; i++) store.append(nodeLeafHash(utf8(`leaf ${i}`)));
  const text = formatCheckpoint({ origin: 'cantho.example/log', size: 37, rootHash: store.root() });
  const note = formatNote(text, [...nodeParseNote(signNote(text, [ed25519NoteSigner(log.signerKey)])).signatures, signNoteText(text, cosignatureSigner(w.signerKey, { now: () => 1_700_000_123 }))]);
  openNote(note, [ed25519NoteVerifier(log.verifierKey)]);

  const parsed = parseNote(note);
  const cp = parseCheckpoint(parsed.text);
  assert.equal(cp.size, 37);
  const lk = await importVerifierKey(log.verifierKey, SIG_TYPE_ED25519);
  const wk = await importVerifierKey(w.verifierKey, SIG_TYPE_COSIGNATURE_V1);
  assert.equal(await verifyEd25519NoteSignature(lk, parsed.text, parsed.signatures[0]!), true);
  assert.equal(await verifyCosignatureV1(wk, parsed.text, parsed.signatures[1]!), 1_700_000_123);
  // A cosignature is bound to its checkpoint: moved onto another tree head it fails.
  const other = formatCheckpoint({ origin: 'cantho.example/log', size: 36, rootHash: store.root(36) });
  assert.equal(await verifyCosignatureV1(wk, other, parsed.signatures[1]!), null);
  // The log's signature is not a cosignature and vice versa.
  assert.equal(await verifyCosignatureV1(wk, parsed.text, parsed.signatures[0]!), null);

  for (const i of [0, 5, 36]) {
    const proof = await inclusionProof(i, 37, store);
    assert.equal(await inclusionProofError(i, 37, await leafHash(utf8(`leaf ${i}`)), proof, cp.rootHash), null);
    assert.match((await inclusionProofError(i, 37, await leafHash(utf8(`leaf ${i}!`)), proof, cp.rootHash)) ?? '', /root/);
  }
});

test('note parsing is as strict as src/trace/log on malformed notes', () => {
  const good = '— name AAAAAAA=\n';
  const cases = [
    `text\n\n${good}`,
    `text\n${good}`,
    'text\n\n',
    `text\n\n— name AAAAAAA=`,
    `text\n\n- name AAAAAAA=\n`,
    `text\n\n— na+me AAAAAAA=\n`,
    `text\n\n— name AAAA\n`,
    `text\n\n— name AAAAAA==\n`,
    `te\txt\n\n${good}`,
    `a\n\nb\n\n${good}`,
  ];
  for (const c of cases) {
    let mine = true;
    let theirs = true;
    try {
      parseNote(c);
    } catch {
      mine = false;
    }
    try {
      nodeParseNote(c);
    } catch {
      theirs = false;
    }
    assert.equal(mine, theirs, JSON.stringify(c));
  }
});

test('CBV 2.0 event hash in WebCrypto equals src/trace/epcis on every shared event-hash vector', { skip: skipWithoutSharedData('epcis') }, async () => {
  const dir = sharedDataPath('epcis', 'event-hash-vectors')!;
  let n = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.jsonld')).sort()) {
    const doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
    let theirs: { hashId: string }[];
    try {
      theirs = documentEventHashes(doc);
    } catch {
      continue;
    }
    const body = doc.epcisBody as { eventList?: unknown[]; queryResults?: { resultsBody: { eventList: unknown[] } } };
    const events = body?.eventList ?? body?.queryResults?.resultsBody.eventList ?? [doc];
    for (const [i, ev] of events.entries()) {
      assert.equal(await eventHashIdWeb(ev, doc['@context']), theirs[i]!.hashId, `${basename(name)}[${i}]`);
      n++;
    }
  }
  assert.ok(n >= 40, `checked ${n} events`);
});
