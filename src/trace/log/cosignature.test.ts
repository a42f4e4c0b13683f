import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { formatCheckpoint } from './checkpoint.ts';
import { COSIGNATURE_V1_SIZE, cosignatureSigner, cosignatureV1Message, cosignatureVerifier, parseCosignatureV1 } from './cosignature.ts';
import { leafHash } from './hashing.ts';
import { checkNoteSignatures, formatNote, openNote, parseNote, signNote, signNoteText } from './note.ts';
import {
  computeKeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  generateNoteKeys,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from './note-keys.ts';

const T = 1679315147;
const root = leafHash(new TextEncoder().encode('cosign me'));
const checkpointText = formatCheckpoint({ origin: 'cantho.example/trace', size: 20852163, rootHash: root });

test('cosignature/v1 signed message is the header, time line and whole checkpoint body', () => {
  const msg = new TextDecoder().decode(cosignatureV1Message(checkpointText, T));
  assert.equal(msg, `cosignature/v1\ntime ${T}\n${checkpointText}`);
  assert.equal(new TextDecoder().decode(cosignatureV1Message(checkpointText, 0)).split('\n')[1], 'time 0');
  assert.throws(() => cosignatureV1Message(checkpointText, -1));
  assert.throws(() => cosignatureV1Message(checkpointText, 1.5));
});

test('sign and verify: key ID uses type 0x04, bytes are keyid ‖ u64 BE time ‖ Ed25519 sig, checked independently', () => {
  const w = generateNoteKeys('witness.example/w1', SIG_TYPE_COSIGNATURE_V1);
  const vk = parseVerifierKey(w.verifierKey);
  assert.equal(vk.keyId, computeKeyId('witness.example/w1', 0x04, vk.publicKey));
  assert.notEqual(vk.keyId, computeKeyId('witness.example/w1', SIG_TYPE_ED25519, vk.publicKey));

  const signer = cosignatureSigner(w.signerKey, { now: () => T });
  assert.equal(signer.keyId, vk.keyId);
  const note = signNote(checkpointText, [signer]);
  const line = note.split('\n').at(-2)!;
  assert.ok(line.startsWith('\u2014 witness.example/w1 '));
  const raw = Buffer.from(line.split(' ')[2]!, 'base64');
  assert.equal(raw.length, 4 + 8 + 64);
  assert.equal(raw.readUInt32BE(0), vk.keyId);
  assert.equal(raw.readBigUInt64BE(4), BigInt(T));

  // Independent check with node:crypto directly over the message defined by the spec.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), vk.publicKey]);
  const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const message = Buffer.from(`cosignature/v1\ntime ${T}\n${checkpointText}`, 'utf8');
  assert.equal(verify(null, message, pub, raw.subarray(12)), true);

  const verifier = cosignatureVerifier(w.verifierKey);
  const opened = openNote(note, [verifier]);
  assert.equal(opened.text, checkpointText);
  const sig = parseNote(note).signatures[0]!;
  assert.equal(verifier.timestampOf(sig.signature), T);
  assert.deepEqual(parseCosignatureV1(sig.signature).timestamp, T);
});

test('log signature and witness cosignatures coexist on one checkpoint note', () => {
  const log = generateNoteKeys('cantho.example/trace');
  const w1 = generateNoteKeys('w1.example', SIG_TYPE_COSIGNATURE_V1);
  const w2 = generateNoteKeys('w2.example', SIG_TYPE_COSIGNATURE_V1);
  const logNote = signNote(checkpointText, [ed25519NoteSigner(log.signerKey)]);
  // Witnesses add their cosignatures to the log's note.
  const parsed = parseNote(logNote);
  const cosigned = formatNote(parsed.text, [
    ...parsed.signatures,
    signNoteText(parsed.text, cosignatureSigner(w1.signerKey, { now: () => T })),
    signNoteText(parsed.text, cosignatureSigner(w2.signerKey, { now: () => T + 5 })),
  ]);
  const statuses = checkNoteSignatures(parseNote(cosigned), [
    ed25519NoteVerifier(log.verifierKey),
    cosignatureVerifier(w1.verifierKey),
    cosignatureVerifier(w2.verifierKey),
  ]).map((c) => c.status);
  assert.deepEqual(statuses, ['verified', 'verified', 'verified']);
  // A cosignature key read as a plain Ed25519 key gets another key ID, so the line is "unknown".
  assert.equal(openNote(cosigned, [ed25519NoteVerifier(log.verifierKey)]).unverified.length, 2);
});

test('tampered or malformed cosignatures fail', () => {
  const w = generateNoteKeys('w.example', SIG_TYPE_COSIGNATURE_V1);
  const verifier = cosignatureVerifier(w.verifierKey);
  const sig = signNoteText(checkpointText, cosignatureSigner(w.signerKey, { now: () => T })).signature;
  const text = new TextEncoder().encode(checkpointText);
  assert.equal(verifier.verify(text, sig), true);
  // Another timestamp.
  const moved = new Uint8Array(sig);
  new DataView(moved.buffer).setBigUint64(0, BigInt(T + 1));
  assert.equal(verifier.verify(text, moved), false);
  // Timestamp above 2^63 − 1.
  const huge = new Uint8Array(sig);
  huge[0] = 0x80;
  assert.equal(verifier.verify(text, huge), false);
  assert.equal(verifier.timestampOf(huge), null);
  assert.throws(() => parseCosignatureV1(huge), /2\^63/);
  // Wrong lengths.
  assert.equal(verifier.verify(text, sig.subarray(0, COSIGNATURE_V1_SIZE - 1)), false);
  assert.equal(verifier.verify(text, new Uint8Array([...sig, 0])), false);
  // Different body (extension lines are part of the signed message).
  const withExt = new TextEncoder().encode(`${checkpointText}ext\n`);
  assert.equal(verifier.verify(withExt, sig), false);
  const extSig = signNoteText(`${checkpointText}ext\n`, cosignatureSigner(w.signerKey, { now: () => T })).signature;
  assert.equal(verifier.verify(withExt, extSig), true);
  // Future timestamps may be refused.
  const strict = cosignatureVerifier(w.verifierKey, { now: () => T - 3600, maxFutureSeconds: 60 });
  assert.equal(strict.verify(text, sig), false);
  const lenient = cosignatureVerifier(w.verifierKey, { now: () => T, maxFutureSeconds: 60 });
  assert.equal(lenient.verify(text, sig), true);
});

test('a cosigner refuses to sign a text that is not a checkpoint, and keys must be type 0x04', () => {
  const w = generateNoteKeys('w.example', SIG_TYPE_COSIGNATURE_V1);
  assert.throws(() => signNote('just some text\n', [cosignatureSigner(w.signerKey)]), /checkpoint/);
  const plain = generateNoteKeys('log.example');
  assert.throws(() => cosignatureSigner(plain.signerKey), /0x04/);
  assert.throws(() => cosignatureVerifier(plain.verifierKey), /0x04/);
});
