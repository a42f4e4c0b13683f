import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { LogFormatError } from './errors.ts';
import { checkNoteSignatures, formatNote, MAX_NOTE_SIGNATURES, openNote, parseNote, signNote, signNoteText } from './note.ts';
import {
  computeKeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  encodeSignerKey,
  encodeVerifierKey,
  generateNoteKeys,
  isValidKeyName,
  keyIdHex,
  parseSignerKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from './note-keys.ts';

interface NoteVector {
  verifierKey: string;
  signerKey?: string;
  text: string;
  signatureLine: string;
  note: string;
}
interface NoteVectors {
  vectors: NoteVector[];
  formatExamplesNotVerifiable: Record<string, string>;
}

const VECTORS = ['merkle', 'signed-note-vectors.json'] as const;
function loadVectors(): NoteVectors {
  return JSON.parse(readFileSync(sharedDataPath(...VECTORS)!, 'utf8')) as NoteVectors;
}

function code(e: unknown): string {
  return e instanceof LogFormatError ? e.code : `not a LogFormatError: ${String(e)}`;
}
function throwsCode(fn: () => unknown, want: string): void {
  assert.throws(fn, (e) => code(e) === want);
}

test('signed-note vectors: key ID, verification and deterministic re-signing', { skip: skipWithoutSharedData(...VECTORS) }, () => {
  const { vectors } = loadVectors();
  assert.ok(vectors.length >= 2);
  for (const v of vectors) {
    const vk = parseVerifierKey(v.verifierKey);
    assert.equal(vk.type, SIG_TYPE_ED25519);
    // key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey)[:4]
    assert.equal(computeKeyId(vk.name, SIG_TYPE_ED25519, vk.publicKey), vk.keyId);
    assert.equal(keyIdHex(vk.keyId), v.verifierKey.split('+')[1]);
    assert.equal(encodeVerifierKey(vk.name, vk.type, vk.publicKey), v.verifierKey);

    const verifier = ed25519NoteVerifier(v.verifierKey);
    const opened = openNote(v.note, [verifier]);
    assert.equal(opened.text, v.text);
    assert.equal(opened.verified.length, 1);
    assert.equal(opened.verified[0]!.name, vk.name);
    assert.ok(v.note.endsWith(`\n${v.signatureLine}\n`));
    // Bytes input works the same.
    assert.equal(openNote(new TextEncoder().encode(v.note), [verifier]).text, v.text);

    if (v.signerKey) {
      const sk = parseSignerKey(v.signerKey);
      assert.equal(sk.keyId, vk.keyId);
      assert.deepEqual(sk.publicKey, vk.publicKey);
      assert.equal(encodeSignerKey(sk.name, sk.type, sk.seed), v.signerKey);
      assert.equal(signNote(v.text, [ed25519NoteSigner(v.signerKey)]), v.note, 'Ed25519 is deterministic: re-signing reproduces the note');
    }

    // A modified text no longer verifies.
    const tampered = v.note.replace(v.text, v.text.replace(/.\n$/, 'X\n'));
    throwsCode(() => openNote(tampered, [verifier]), 'SIGNATURE_INVALID');
  }
});

test('the tlog-checkpoint example parses as a note and a checkpoint but no key is known', { skip: skipWithoutSharedData(...VECTORS) }, () => {
  const ex = Object.values(loadVectors().formatExamplesNotVerifiable)[0]!;
  const parsed = parseNote(ex);
  assert.equal(parsed.signatures.length, 1);
  assert.equal(parsed.signatures[0]!.name, parseCheckpoint(parsed.text).origin);
  assert.equal(parsed.signatures[0]!.signature.length, 64);
  const other = ed25519NoteVerifier(generateNoteKeys(parsed.signatures[0]!.name).verifierKey);
  throwsCode(() => openNote(ex, [other]), 'NO_KNOWN_SIGNATURE'); // same name, other key ID: ignored
});

test('generated keys round-trip and sign/verify; unknown signers are ignored, known bad ones rejected', () => {
  const a = generateNoteKeys('log.example/a');
  const b = generateNoteKeys('witness.example/b');
  const text = 'hello\nworld\n';
  const note = signNote(text, [ed25519NoteSigner(a.signerKey), ed25519NoteSigner(b.signerKey)]);
  const va = ed25519NoteVerifier(a.verifierKey);
  const vb = ed25519NoteVerifier(b.verifierKey);
  const onlyA = openNote(note, [va]);
  assert.equal(onlyA.text, text);
  assert.deepEqual(
    onlyA.verified.map((s) => s.name),
    ['log.example/a'],
  );
  assert.deepEqual(
    onlyA.unverified.map((s) => s.name),
    ['witness.example/b'],
  );
  assert.equal(openNote(note, [va, vb]).verified.length, 2);
  throwsCode(() => openNote(note, []), 'NO_KNOWN_SIGNATURE');

  // Same name as a known key but a different key ID: ignored, not failed.
  const impostor = generateNoteKeys('log.example/a');
  const mixed = signNote(text, [ed25519NoteSigner(impostor.signerKey), ed25519NoteSigner(a.signerKey)]);
  assert.equal(openNote(mixed, [va]).verified.length, 1);

  // A bad signature from a known key rejects the whole note; checkNoteSignatures reports it.
  const parsed = parseNote(note);
  const broken = parsed.signatures.map((s, i) => (i === 0 ? { ...s, signature: s.signature.map((x, j) => (j === 0 ? x ^ 1 : x)) } : s));
  const brokenNote = formatNote(text, broken);
  throwsCode(() => openNote(brokenNote, [va, vb]), 'SIGNATURE_INVALID');
  assert.deepEqual(
    checkNoteSignatures(parseNote(brokenNote), [va, vb]).map((c) => c.status),
    ['invalid', 'verified'],
  );

  // Adding a signature to an existing note.
  const c = generateNoteKeys('witness.example/c');
  const extended = formatNote(parsed.text, [...parsed.signatures, signNoteText(parsed.text, ed25519NoteSigner(c.signerKey))]);
  assert.equal(openNote(extended, [va, vb, ed25519NoteVerifier(c.verifierKey)]).verified.length, 3);

  // Text may contain blank lines; the split is at the last blank line.
  const poem = 'line one\n\nline three\n';
  assert.equal(openNote(signNote(poem, [ed25519NoteSigner(a.signerKey)]), [va]).text, poem);
});

test('malformed notes are rejected', () => {
  const a = generateNoteKeys('example.com/a');
  const signer = ed25519NoteSigner(a.signerKey);
  const good = signNote('text\n', [signer]);
  const sigLine = good.slice('text\n\n'.length);
  const cases: [string, string][] = [
    ['no blank line', `text\n${sigLine}`],
    ['no final newline', good.slice(0, -1)],
    ['empty signature block', 'text\n\n'],
    ['hyphen instead of em dash', good.replace('\u2014', '-')],
    ['no space after dash', good.replace('\u2014 ', '\u2014')],
    ['CRLF', good.replaceAll('\n', '\r\n')],
    ['tab in text', `te\txt\n\n${sigLine}`],
    ['NUL', `text\u0000\n\n${sigLine}`],
    ['name with plus', good.replace('example.com/a', 'example.com+a')],
    ['name with no-break space', good.replace('example.com/a', 'example.com\u00a0a')],
    ['empty name', good.replace('example.com/a ', ' ')],
    ['missing signature', `text\n\n\u2014 example.com/a\n`],
    ['empty signature', `text\n\n\u2014 example.com/a \n`],
    ['base64 without padding', good.replace(/=\n$/, '\n')],
    ['non-base64 character', good.replace(/.\n$/, '!\n')],
    ['signature too short', `text\n\n\u2014 example.com/a AAAAAA==\n`],
    ['lone surrogate', `te\ud800xt\n\n${sigLine}`],
  ];
  for (const [what, note] of cases) {
    assert.throws(
      () => openNote(note, [ed25519NoteVerifier(a.verifierKey)]),
      (e) => e instanceof LogFormatError && (e.code === 'MALFORMED_NOTE' || e.code === 'NO_KNOWN_SIGNATURE'),
      what,
    );
    assert.throws(() => parseNote(note), (e) => code(e) === 'MALFORMED_NOTE', what);
  }
  // A blank line inside the signature block moves the split: the first line becomes text and the
  // remaining signature no longer matches it.
  const two = signNote('text\n', [signer, ed25519NoteSigner(generateNoteKeys('example.com/b').signerKey)]);
  const withGap = two.replace(/\n\u2014 example.com\/b/, '\n\n\u2014 example.com/b');
  assert.equal(parseNote(withGap).signatures.length, 1);
  assert.throws(() => openNote(withGap, [ed25519NoteVerifier(a.verifierKey)]));

  // Invalid UTF-8 bytes.
  const bytes = new TextEncoder().encode(good);
  const badUtf8 = new Uint8Array([0xff, ...bytes]);
  throwsCode(() => parseNote(badUtf8), 'MALFORMED_NOTE');
});

test('signature count and size limits: at least 16 accepted, too many rejected', () => {
  const keys = Array.from({ length: 17 }, (_, i) => generateNoteKeys(`w${i}.example`));
  const text = 'checkpoint-ish\n1\n';
  const note16 = signNote(
    text,
    keys.slice(0, 16).map((k) => ed25519NoteSigner(k.signerKey)),
  );
  assert.equal(openNote(note16, [ed25519NoteVerifier(keys[0]!.verifierKey)]).unverified.length, 15);
  const parsed = parseNote(note16);
  const many = formatNote(
    text,
    Array.from({ length: MAX_NOTE_SIGNATURES + 1 }, (_, i) => parsed.signatures[i % 16]!),
  );
  throwsCode(() => parseNote(many), 'MALFORMED_NOTE');
  throwsCode(() => parseNote(note16, { maxSignatures: 3 }), 'MALFORMED_NOTE');
  throwsCode(() => parseNote(note16, { maxSize: 100 }), 'MALFORMED_NOTE');
  throwsCode(() => parseNote(`${'x'.repeat(300 * 1024)}\n\n\u2014 a AAAAAAA=\n`), 'MALFORMED_NOTE');
});

test('signing refuses bad text and bad names', () => {
  const signer = ed25519NoteSigner(generateNoteKeys('example.com/a').signerKey);
  throwsCode(() => signNote('no newline', [signer]), 'MALFORMED_NOTE');
  throwsCode(() => signNote('', [signer]), 'MALFORMED_NOTE');
  throwsCode(() => signNote('bell\u0007\n', [signer]), 'MALFORMED_NOTE');
  throwsCode(() => signNote('text\n', []), 'MALFORMED_NOTE');
  throwsCode(() => signNote('text\n', [{ ...signer, name: 'has space' }]), 'MALFORMED_NOTE');
  assert.equal(isValidKeyName('example.com/log'), true);
  for (const bad of ['', 'a b', 'a+b', 'a\u2003b', 'a\u0085b', 'a\nb', 'a\u0001b']) assert.equal(isValidKeyName(bad), false, JSON.stringify(bad));
});

test('key encodings are parsed strictly', () => {
  const k = generateNoteKeys('example.com/k');
  const [name, id, data] = k.verifierKey.split('+') as [string, string, string];
  throwsCode(() => parseVerifierKey(`${name}+${id}`), 'BAD_KEY');
  throwsCode(() => parseVerifierKey(`${name}+${id === '00000000' ? '00000001' : '00000000'}+${data}`), 'BAD_KEY'); // wrong key ID
  throwsCode(() => parseVerifierKey(`${name}+${id}+${data.slice(0, -1)}`), 'BAD_KEY');
  throwsCode(() => parseVerifierKey(`${name}+${id}x+${data}`), 'BAD_KEY');
  throwsCode(() => parseVerifierKey(`bad name+${id}+${data}`), 'BAD_KEY');
  // Unsupported type byte.
  const raw = Buffer.from(data, 'base64');
  raw[0] = 0x02;
  throwsCode(() => parseVerifierKey(`${name}+${id}+${raw.toString('base64')}`), 'BAD_KEY');
  throwsCode(() => parseSignerKey(k.verifierKey), 'BAD_KEY');
  throwsCode(() => parseSignerKey(k.signerKey.replace('PRIVATE+KEY', 'PUBLIC+KEY')), 'BAD_KEY');
  // A cosignature key is not a plain note key, and the other way round.
  const w = generateNoteKeys('witness.example', SIG_TYPE_COSIGNATURE_V1);
  throwsCode(() => ed25519NoteVerifier(w.verifierKey), 'BAD_KEY');
  throwsCode(() => ed25519NoteSigner(w.signerKey), 'BAD_KEY');
  assert.equal(parseVerifierKey(w.verifierKey).type, SIG_TYPE_COSIGNATURE_V1);
  // Two different verifiers with the same (name, key ID) are a configuration error.
  throwsCode(() => openNote(signNote('t\n', [ed25519NoteSigner(k.signerKey)]), [ed25519NoteVerifier(k.verifierKey), ed25519NoteVerifier(k.verifierKey)]), 'BAD_ARGUMENT');
});
