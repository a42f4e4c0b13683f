import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedDataPath, skipWithoutSharedData } from '../../testing/shared-data.ts';
import { formatCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { LogFormatError } from './errors.ts';
import { EMPTY_TREE_HASH, leafHash } from './hashing.ts';
import { parseNote, signNote } from './note.ts';
import { ed25519NoteSigner, ed25519NoteVerifier, generateNoteKeys } from './note-keys.ts';

const root = leafHash(new TextEncoder().encode('root'));
const rootB64 = Buffer.from(root).toString('base64');

function rejects(text: string, what: string): void {
  assert.throws(() => parseCheckpoint(text), (e) => e instanceof LogFormatError && e.code === 'MALFORMED_CHECKPOINT', what);
}

test('tlog-checkpoint example from the spec parses and re-formats byte for byte', { skip: skipWithoutSharedData('merkle', 'signed-note-vectors.json') }, () => {
  const vectors = JSON.parse(readFileSync(sharedDataPath('merkle', 'signed-note-vectors.json')!, 'utf8')) as {
    formatExamplesNotVerifiable: Record<string, string>;
  };
  const note = Object.values(vectors.formatExamplesNotVerifiable)[0]!;
  const { text } = parseNote(note);
  const cp = parseCheckpoint(text);
  assert.equal(cp.origin, 'example.com/behind-the-sofa');
  assert.equal(cp.size, 20852163);
  assert.equal(cp.rootHash.length, 32);
  assert.deepEqual(cp.extensions, []);
  assert.equal(formatCheckpoint(cp), text);
});

test('format and parse round-trip, with and without extension lines', () => {
  const plain = { origin: 'cantho.example/trace', size: 42, rootHash: root };
  const text = formatCheckpoint(plain);
  assert.equal(text, `cantho.example/trace\n42\n${rootB64}\n`);
  assert.deepEqual(parseCheckpoint(text), { ...plain, extensions: [] });
  const ext = { ...plain, extensions: ['ext one', 'ext two'] };
  assert.equal(formatCheckpoint(ext), `${text}ext one\next two\n`);
  assert.deepEqual(parseCheckpoint(formatCheckpoint(ext)), ext);
  const empty = { origin: 'o', size: 0, rootHash: EMPTY_TREE_HASH };
  assert.deepEqual(parseCheckpoint(formatCheckpoint(empty)), { ...empty, extensions: [] });
  assert.equal(parseCheckpoint(`o\n${Number.MAX_SAFE_INTEGER}\n${rootB64}\n`).size, Number.MAX_SAFE_INTEGER);
});

test('malformed checkpoints are rejected', () => {
  rejects(`o\n1\n${rootB64}`, 'no final newline');
  rejects(`o\n1\n`, 'missing root');
  rejects(`\n1\n${rootB64}\n`, 'empty origin');
  rejects(`o\n01\n${rootB64}\n`, 'leading zero');
  rejects(`o\n00\n${rootB64}\n`, 'double zero');
  rejects(`o\n+1\n${rootB64}\n`, 'plus sign');
  rejects(`o\n-1\n${rootB64}\n`, 'negative');
  rejects(`o\n 1\n${rootB64}\n`, 'space');
  rejects(`o\n1.0\n${rootB64}\n`, 'decimal point');
  rejects(`o\n\n${rootB64}\n`, 'empty size');
  rejects(`o\n${2 ** 53}\n${rootB64}\n`, 'size beyond 2^53-1');
  rejects(`o\n123456789012345678901\n${rootB64}\n`, 'huge size');
  rejects(`o\n1\n${Buffer.from(root.subarray(0, 31)).toString('base64')}\n`, 'short root');
  rejects(`o\n1\n${rootB64.slice(0, -1)}\n`, 'unpadded root');
  rejects(`o\n1\n${Buffer.from(root).toString('base64url')}=\n`, 'url alphabet');
  rejects(`o\n1\n${rootB64}\n\n`, 'empty extension line');
  rejects(`o\n1\n${rootB64}\next\n\nmore\n`, 'empty line between extensions');
  rejects(`o\r\n1\n${rootB64}\n`, 'carriage return');
  assert.throws(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root }));
  assert.throws(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: new Uint8Array(31) }));
  assert.throws(() => formatCheckpoint({ origin: 'o\n', size: 1, rootHash: root }));
  assert.throws(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root, extensions: [''] }));
});

test('openCheckpoint verifies the log signature and the origin', () => {
  const log = generateNoteKeys('cantho.example/trace');
  const other = generateNoteKeys('cantho.example/trace');
  const text = formatCheckpoint({ origin: 'cantho.example/trace', size: 7, rootHash: root });
  const note = signNote(text, [ed25519NoteSigner(log.signerKey)]);
  const opened = openCheckpoint(note, { verifiers: [ed25519NoteVerifier(log.verifierKey)] });
  assert.equal(opened.checkpoint.size, 7);
  assert.throws(() => openCheckpoint(note, { verifiers: [ed25519NoteVerifier(other.verifierKey)] }), /no signature from a known key/);
  assert.throws(
    () => openCheckpoint(note, { verifiers: [ed25519NoteVerifier(log.verifierKey)], origin: 'elsewhere' }),
    (e) => e instanceof LogFormatError && e.code === 'MALFORMED_CHECKPOINT',
  );
  const notCheckpoint = signNote('hello\n', [ed25519NoteSigner(log.signerKey)]);
  assert.throws(() => openCheckpoint(notCheckpoint, { verifiers: [ed25519NoteVerifier(log.verifierKey)] }), /checkpoint/);
});
