import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNote, parseNote } from '../../log/note.ts';
import type { LotView } from '../lot-types.ts';
import { buildDemoLog, captureBodies, type DemoLog, lotView, resignCapture, rewriteEvent, signCheckpoint } from '../testing/lot-fixture.ts';
import { type CheckId, type LotVerification, verifyLot } from './verify-lot.ts';

/**
 * The verifier's verdicts on a demo log built with the backend's own node:crypto library
 * (src/trace/log), untouched and after each kind of tampering the page must catch.
 */

const failed = (r: LotVerification): CheckId[] => r.checks.filter((c) => !c.ok).map((c) => c.id);

async function fresh(): Promise<{ log: DemoLog; lot: LotView }> {
  const log = buildDemoLog();
  return { log, lot: await lotView(log, 0) };
}

test('an untouched demo lot passes every check', async () => {
  const { log, lot } = await fresh();
  assert.equal(lot.events.length, 6);
  const r = await verifyLot(lot, log.pins, captureBodies(log));
  assert.deepEqual(failed(r), [], JSON.stringify(r.checks, null, 1));
  assert.equal(r.ok, true);
  assert.equal(r.events.length, 6);
  assert.deepEqual(r.checkpoint, { origin: log.pins.origin, size: 10 });
  assert.equal(r.witnesses.filter((w) => w.ok).length, 2);
  const fish = await lotView(log, 1);
  assert.equal((await verifyLot(fish, log.pins, captureBodies(log))).ok, true);
});

test('one changed byte in a stored event fails the event-data check (nothing else is touched)', async () => {
  const { log, lot } = await fresh();
  const v = lot.events[2]!.verification;
  const tampered = { ...lot, events: lot.events.map((e, i) => (i === 2 ? { ...e, verification: { ...v, eventJson: v.eventJson.replace('"quantity":1000', '"quantity":1001') } } : e)) };
  assert.notEqual(tampered.events[2]!.verification.eventJson, v.eventJson);
  const r = await verifyLot(tampered, log.pins, captureBodies(log));
  assert.deepEqual(failed(r), ['event-data']);
  assert.equal(r.events[2]!.ok, false);
  assert.equal(r.events.filter((e) => e.ok).length, 5);
});

test('an operator who rewrites an event and re-signs the checkpoint with the log key is caught by the witnesses', async () => {
  const log = buildDemoLog();
  rewriteEvent(log, 0, 0, (ev) => {
    ev.eventTime = '2025-03-01T00:30:00.000Z'; // an earlier harvest date
  });
  signCheckpoint(log, { cosign: false });
  const lot = await lotView(log, 0);
  const r = await verifyLot(lot, log.pins, captureBodies(log));
  assert.equal(r.ok, false);
  assert.ok(failed(r).includes('witnesses'), JSON.stringify(failed(r)));
  assert.ok(!failed(r).includes('log-signature'));
  assert.ok(!failed(r).includes('inclusion'), 'the operator rebuilt the tree consistently');
  // The organisation signed the original capture: its signature no longer covers the content.
  assert.ok(failed(r).includes('org-signature'));

  // A custodial organisation (its key held by the operator) can even be re-signed: only the witnesses catch it.
  resignCapture(log, 0, 0);
  signCheckpoint(log, { cosign: false });
  const r2 = await verifyLot(await lotView(log, 0), log.pins, captureBodies(log));
  assert.deepEqual(failed(r2), ['witnesses']);
});

test('copying the old cosignatures onto a re-signed checkpoint does not help', async () => {
  const log = buildDemoLog();
  const oldSigs = parseNote(log.checkpoint).signatures.slice(1);
  rewriteEvent(log, 0, 3, (ev) => {
    ev.bizLocation = { id: 'https://id.gs1.org/414/8936012341010' };
  });
  const resigned = parseNote(signCheckpoint(log, { cosign: false }));
  log.checkpoint = formatNote(resigned.text, [...resigned.signatures, ...oldSigs]);
  const r = await verifyLot(await lotView(log, 0), log.pins, captureBodies(log));
  assert.ok(failed(r).includes('witnesses'));
  assert.equal(r.witnesses.every((w) => !w.ok), true);
});

test('a rewritten event proven against the honest (cosigned) checkpoint fails inclusion', async () => {
  const log = buildDemoLog();
  const honest = log.checkpoint;
  rewriteEvent(log, 0, 5, (ev) => {
    ev.disposition = 'sellable_accessible';
  });
  const lot = await lotView(log, 0);
  const mixed = { ...lot, log: { ...lot.log, checkpoint: honest } };
  const r = await verifyLot(mixed, log.pins, captureBodies(log));
  assert.ok(failed(r).includes('inclusion'));
  assert.ok(!failed(r).includes('witnesses'));
});

test('keys are pinned: a checkpoint signed by another log key, or pins that do not parse, fail', async () => {
  const { log, lot } = await fresh();
  const other = buildDemoLog();
  const r = await verifyLot(lot, other.pins, captureBodies(log));
  assert.ok(failed(r).includes('log-signature'));
  assert.ok(failed(r).includes('witnesses'));
  // Another last character (a random key ends in 'A' one time in 64: then 'A' changed nothing).
  const key = log.pins.logKey;
  const r2 = await verifyLot(lot, { ...log.pins, logKey: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') }, captureBodies(log));
  assert.deepEqual(failed(r2).slice(0, 1), ['pins']);
  assert.equal(r2.ok, false);
  const r3 = await verifyLot(lot, { ...log.pins, quorum: 3 }, captureBodies(log));
  assert.deepEqual(failed(r3).slice(0, 1), ['pins']);
  const r4 = await verifyLot(lot, { ...log.pins, origin: 'someone.else/log' }, captureBodies(log));
  assert.ok(failed(r4).includes('log-signature'));
});

test('a quorum of two needs two distinct witnesses', async () => {
  const log = buildDemoLog({ witnesses: 2, quorum: 2 });
  const lot = await lotView(log, 0);
  assert.equal((await verifyLot(lot, log.pins, captureBodies(log))).ok, true);
  const note = parseNote(log.checkpoint);
  const oneWitness = { ...lot, log: { ...lot.log, checkpoint: formatNote(note.text, note.signatures.slice(0, 2)) } };
  assert.deepEqual(failed(await verifyLot(oneWitness, log.pins, captureBodies(log))), ['witnesses']);
});

test('what the page shows must be what was verified: time, step, place, actor', async () => {
  const { log, lot } = await fresh();
  const edit = (f: (e: LotView['events'][number]) => object) => ({ ...lot, events: lot.events.map((e, i) => (i === 1 ? { ...e, ...f(e) } : e)) });
  for (const l of [
    edit(() => ({ eventTime: '2025-04-11T09:00:00+07:00' })),
    edit(() => ({ bizStep: 'shipping' })),
    edit((e) => ({ place: { ...e.place!, id: 'https://id.gs1.org/414/8936012341058' } })),
    edit((e) => ({ actor: { ...e.actor!, code: 'cho-ninh-kieu' } })),
  ]) {
    assert.deepEqual(failed(await verifyLot(l, log.pins, captureBodies(log))), ['consistency']);
  }
  // The same instant written in another zone is the same time.
  const sameInstant = edit((e) => ({ eventTime: new Date(e.eventTime).toISOString().replace('Z', '+00:00') }));
  assert.equal((await verifyLot(sameInstant, log.pins, captureBodies(log))).ok, true);
});

test('missing pieces fail closed: capture documents, proofs, events, a foreign proof', async () => {
  const { log, lot } = await fresh();
  assert.deepEqual(failed(await verifyLot(lot, log.pins, new Map())), ['org-signature']);
  const noProof = { ...lot, events: lot.events.map((e, i) => (i === 0 ? { ...e, verification: { ...e.verification, inclusion: null } } : e)) };
  const r = await verifyLot(noProof, log.pins, captureBodies(log));
  assert.deepEqual(failed(r), ['inclusion']);
  assert.equal(r.pending, true);
  assert.deepEqual(failed(await verifyLot({ ...lot, events: [] }, log.pins, captureBodies(log))), ['event-data']);
  // Event 0's leaf with event 1's proof.
  const swapped = { ...lot, events: lot.events.map((e, i) => (i === 0 ? { ...e, verification: { ...e.verification, inclusion: lot.events[1]!.verification.inclusion } } : e)) };
  assert.deepEqual(failed(await verifyLot(swapped, log.pins, captureBodies(log))), ['inclusion']);
  const garbage = { ...lot, log: { ...lot.log, checkpoint: 'not a note' } };
  const g = await verifyLot(garbage, log.pins, captureBodies(log));
  assert.ok(failed(g).includes('log-signature') && failed(g).includes('witnesses') && failed(g).includes('inclusion'));
  const junk = await verifyLot(null as unknown as LotView, log.pins);
  assert.equal(junk.ok, false);
});

test('without WebCrypto (an http:// page) nothing is claimed', async () => {
  const { log, lot } = await fresh();
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
  Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true });
  try {
    const r = await verifyLot(lot, log.pins, captureBodies(log));
    assert.equal(r.ok, false);
    assert.deepEqual(failed(r)[0], 'webcrypto');
  } finally {
    Object.defineProperty(globalThis, 'crypto', desc);
  }
});
