import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCheckpoint } from './checkpoint.ts';
import { cosignatureSigner, cosignatureVerifier } from './cosignature.ts';
import { inclusionProof } from './inclusion-proof.ts';
import { leafHash } from './hashing.ts';
import { MemoryHashStore } from './memory-store.ts';
import { formatNote, parseNote, signNote, signNoteText } from './note.ts';
import { ed25519NoteSigner, ed25519NoteVerifier, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from './note-keys.ts';
import { formatProofFile, PROOF_FILE_HEADER, type ProofFileResult, parseProofFile, verifyProofFile } from './proof-file.ts';

const ORIGIN = 'cantho.example/trace';
const log = generateNoteKeys(ORIGIN);
const witnesses = [1, 2, 3].map((i) => generateNoteKeys(`witness${i}.example`, SIG_TYPE_COSIGNATURE_V1));
const logVerifier = ed25519NoteVerifier(log.verifierKey);
const witnessVerifiers = witnesses.map((w) => cosignatureVerifier(w.verifierKey));

const SIZE = 1000;
const store = new MemoryHashStore();
const leaves: Uint8Array[] = [];
for (let i = 0; i < SIZE; i++) {
  const h = leafHash(new TextEncoder().encode(`lot ${i}`));
  leaves.push(h);
  store.append(h);
}
const checkpointText = formatCheckpoint({ origin: ORIGIN, size: SIZE, rootHash: store.root() });
const logNote = signNote(checkpointText, [ed25519NoteSigner(log.signerKey)]);
const logSigs = parseNote(logNote).signatures;
const cosigned = formatNote(checkpointText, [
  ...logSigs,
  ...witnesses.map((w, i) => signNoteText(checkpointText, cosignatureSigner(w.signerKey, { now: () => 1_700_000_000 + i }))),
]);

function failed(r: ProofFileResult): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => c.check);
}

test('format follows tlog-proof: header, optional extra, index, hashes, blank line, checkpoint verbatim', async () => {
  const proof = await inclusionProof(123, SIZE, store);
  const text = formatProofFile({ index: 123, proof, checkpoint: cosigned, extra: new TextEncoder().encode('lot-123') });
  const lines = text.split('\n');
  assert.equal(lines[0], PROOF_FILE_HEADER);
  assert.equal(lines[1], `extra ${Buffer.from('lot-123').toString('base64')}`);
  assert.equal(lines[2], 'index 123');
  assert.deepEqual(
    lines.slice(3, 3 + proof.length),
    proof.map((h) => Buffer.from(h).toString('base64')),
  );
  assert.equal(lines[3 + proof.length], '');
  assert.ok(text.endsWith(`\n\n${cosigned}`));
  const parsed = parseProofFile(text);
  assert.equal(parsed.index, 123);
  assert.deepEqual(parsed.proof, proof);
  assert.equal(parsed.checkpoint, cosigned);
  assert.deepEqual(parsed.extra, new TextEncoder().encode('lot-123'));
  // Without extra data the line is omitted; empty extra data is kept as an empty line value.
  const plain = formatProofFile({ index: 123, proof, checkpoint: cosigned });
  assert.equal(plain.split('\n')[1], 'index 123');
  assert.equal(parseProofFile(plain).extra, undefined);
  assert.deepEqual(parseProofFile(formatProofFile({ index: 123, proof, checkpoint: cosigned, extra: new Uint8Array(0) })).extra, new Uint8Array(0));
});

test('verifyProofFile accepts a valid proof with a witness quorum, for every index kind', async () => {
  for (const index of [0, 1, 123, 511, 512, 998, 999]) {
    const text = formatProofFile({ index, proof: await inclusionProof(index, SIZE, store), checkpoint: cosigned });
    const r = verifyProofFile(text, leaves[index]!, { logVerifier, witnessVerifiers, minWitnesses: 3 });
    assert.equal(r.ok, true, JSON.stringify(r.checks));
    assert.deepEqual(
      r.checks.map((c) => c.check),
      ['parse', 'checkpoint', 'origin', 'log-signature', 'inclusion', 'witnesses'],
    );
    assert.equal(r.index, index);
    assert.equal(r.checkpoint?.size, SIZE);
    assert.deepEqual(
      r.witnesses.map((w) => [w.name, w.ok, w.timestamp]),
      [
        ['witness1.example', true, 1_700_000_000],
        ['witness2.example', true, 1_700_000_001],
        ['witness3.example', true, 1_700_000_002],
      ],
    );
  }
  // Bytes input and a pre-parsed file work too; no witnesses required by default.
  const text = formatProofFile({ index: 5, proof: await inclusionProof(5, SIZE, store), checkpoint: logNote });
  assert.equal(verifyProofFile(new TextEncoder().encode(text), leaves[5]!, { logVerifier }).ok, true);
  assert.equal(verifyProofFile(parseProofFile(text), leaves[5]!, { logVerifier }).ok, true);
});

test('each failing guarantee is reported by its own check', async () => {
  const proof = await inclusionProof(42, SIZE, store);
  const text = formatProofFile({ index: 42, proof, checkpoint: cosigned });
  const policy = { logVerifier, witnessVerifiers, minWitnesses: 2 };

  assert.deepEqual(failed(verifyProofFile(text, leaves[43]!, policy)), ['inclusion']);
  const wrongIndex = formatProofFile({ index: 43, proof, checkpoint: cosigned });
  assert.deepEqual(failed(verifyProofFile(wrongIndex, leaves[42]!, policy)), ['inclusion']);
  assert.deepEqual(failed(verifyProofFile(text, leaves[42]!, { ...policy, minWitnesses: 4 })), ['witnesses']);

  const otherLog = ed25519NoteVerifier(generateNoteKeys(ORIGIN).verifierKey);
  const r = verifyProofFile(text, leaves[42]!, { ...policy, logVerifier: otherLog });
  assert.deepEqual(failed(r), ['log-signature']);
  assert.match(r.checks[3]!.detail, /no signature by the log key/);

  assert.deepEqual(failed(verifyProofFile(text, leaves[42]!, { ...policy, origin: 'other.example/log' })), ['origin']);

  // Only witness signatures, no log signature at all.
  const witnessOnly = formatNote(checkpointText, parseNote(cosigned).signatures.slice(1));
  const r2 = verifyProofFile(formatProofFile({ index: 42, proof, checkpoint: witnessOnly }), leaves[42]!, policy);
  assert.deepEqual(failed(r2), ['log-signature']);

  // A tampered log signature and a tampered cosignature.
  const sigs = parseNote(cosigned).signatures.map((s, i) =>
    i === 0 || i === 2 ? { ...s, signature: s.signature.map((b, j) => (j === s.signature.length - 1 ? b ^ 1 : b)) } : s,
  );
  const r3 = verifyProofFile(formatProofFile({ index: 42, proof, checkpoint: formatNote(checkpointText, sigs) }), leaves[42]!, policy);
  assert.deepEqual(failed(r3), ['log-signature']);
  assert.deepEqual(
    r3.witnesses.map((w) => w.ok),
    [true, false, true],
  );
  assert.match(r3.witnesses[1]!.detail, /does not verify/);
  assert.deepEqual(failed(verifyProofFile(formatProofFile({ index: 42, proof, checkpoint: formatNote(checkpointText, sigs) }), leaves[42]!, { ...policy, minWitnesses: 3 })), ['log-signature', 'witnesses']);

  // A checkpoint for another tree (e.g. a rolled-back size) breaks inclusion even though signed.
  const small = formatCheckpoint({ origin: ORIGIN, size: 100, rootHash: store.root(100) });
  const smallNote = signNote(small, [ed25519NoteSigner(log.signerKey)]);
  assert.deepEqual(failed(verifyProofFile(formatProofFile({ index: 42, proof, checkpoint: smallNote }), leaves[42]!, { logVerifier })), ['inclusion']);

  // A signed note whose text is not a checkpoint.
  const notCp = signNote('hello\n', [ed25519NoteSigner(log.signerKey)]);
  const r4 = verifyProofFile(formatProofFile({ index: 42, proof, checkpoint: notCp }), leaves[42]!, { logVerifier });
  assert.equal(r4.ok, false);
  assert.equal(r4.checks[1]!.ok, false);
  assert.match(r4.checks[2]!.detail, /not checked/);
});

test('malformed proof files fail the parse check without throwing', async () => {
  const proof = await inclusionProof(7, SIZE, store);
  const good = formatProofFile({ index: 7, proof, checkpoint: cosigned });
  const b64 = Buffer.from(proof[0]!).toString('base64');
  const bad: [string, string][] = [
    ['wrong header', good.replace(PROOF_FILE_HEADER, 'c2sp.org/tlog-proof@v2')],
    ['missing index', good.replace('index 7\n', '')],
    ['leading zero index', good.replace('index 7\n', 'index 07\n')],
    ['negative index', good.replace('index 7\n', 'index -7\n')],
    ['index with two spaces', good.replace('index 7\n', 'index  7\n')],
    ['huge index', good.replace('index 7\n', 'index 18446744073709551615\n')],
    ['short hash', good.replace(b64, Buffer.from(proof[0]!.subarray(1)).toString('base64'))],
    ['non-canonical base64', good.replace(b64, b64.slice(0, -1))],
    ['bad extra', good.replace('index 7\n', 'extra !!\nindex 7\n')],
    ['no blank line / no checkpoint', good.slice(0, good.indexOf('\n\n') + 1)],
    ['CRLF', good.replaceAll('\n', '\r\n')],
    ['checkpoint not a signed note', `${good.slice(0, good.indexOf('\n\n') + 2)}${checkpointText}`],
    ['empty', ''],
  ];
  for (const [what, text] of bad) {
    assert.throws(() => parseProofFile(text), /tlog-proof|signed note|base64|MALFORMED/, what);
    const r = verifyProofFile(text, leaves[7]!, { logVerifier });
    assert.equal(r.ok, false, what);
    assert.deepEqual(failed(r), ['parse', 'checkpoint', 'origin', 'log-signature', 'inclusion', 'witnesses'], what);
  }
  assert.throws(() => formatProofFile({ index: -1, proof, checkpoint: cosigned }));
  assert.throws(() => formatProofFile({ index: 1, proof: [new Uint8Array(31)], checkpoint: cosigned }));
  assert.throws(() => formatProofFile({ index: 1, proof, checkpoint: checkpointText }));
});
