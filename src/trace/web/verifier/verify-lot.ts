import { canonicalGs1Uri } from '../../epcis/digital-link.ts';
import type { JourneyEvent, LotView, TrustPins } from '../lot-types.ts';
import { bareBizStep } from '../step-labels.ts';
import { decodeBase64, ed25519Verify, importEd25519, sha256, subtle, toHex, utf8 } from './bytes.ts';
import { eventHashIdWeb } from './event-hash.ts';
import { inclusionProofError, leafHash } from './inclusion.ts';
import { captureSignatureBase, type Leaf, parseLeaf } from './leaf.ts';
import {
  type Checkpoint,
  importVerifierKey,
  type ParsedNote,
  parseCheckpoint,
  parseNote,
  type PinnedKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  verifyCosignatureV1,
  verifyEd25519NoteSignature,
} from './note.ts';

/**
 * Verifies a lot's journey as the consumer page does in the browser, trusting only the keys
 * pinned in the page (docs/api/trace.md §6), never keys sent by the server being checked:
 *
 * 1. `pins`: the pinned log key and witness keys decode and their key IDs match;
 * 2. `log-signature`: the checkpoint is signed by the pinned log key, for the pinned origin;
 * 3. `witnesses`: at least `quorum` distinct pinned witnesses cosigned that same checkpoint
 *    (cosignature/v1). This is what catches an operator who rewrites history and re-signs it with
 *    the log key: independent witnesses refuse to cosign a tree inconsistent with what they saw;
 * 4. `event-data`: for each event, SHA-256 of the exact stored event JSON and its CBV 2.0 §8.9
 *    Event Hash ID, both recomputed here, equal the leaf's fields, and the event ID matches;
 * 5. `org-signature`: the capturing organisation's Ed25519 signature over the capture digest
 *    named in the leaf verifies with its key, the key ID is derived from that key, and the signed
 *    capture document holds this very event (same Event Hash ID);
 * 6. `inclusion`: the leaf hash leads to the checkpoint root by the RFC 9162 inclusion proof;
 * 7. `consistency`: the fields the page displays (time, step, place, actor) are those of the
 *    verified event and leaf.
 *
 * The result is ok only when every check passes; each failed check names what failed.
 */

export type CheckId = 'webcrypto' | 'pins' | 'log-signature' | 'witnesses' | 'event-data' | 'org-signature' | 'inclusion' | 'consistency';

export const CHECK_ORDER: readonly CheckId[] = ['webcrypto', 'pins', 'log-signature', 'witnesses', 'event-data', 'org-signature', 'inclusion', 'consistency'];

export interface CheckResult {
  readonly id: CheckId;
  readonly ok: boolean;
  /** English detail for logs and tests; the page shows its own Vietnamese wording per check. */
  readonly detail: string;
}

export interface EventOutcome {
  readonly eventId: string;
  readonly leafIndex: number;
  readonly ok: boolean;
  /** Checks that failed for this event, with why. */
  readonly failures: readonly CheckResult[];
}

export interface WitnessOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly timestamp?: number;
}

export interface LotVerification {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  readonly events: readonly EventOutcome[];
  readonly witnesses: readonly WitnessOutcome[];
  readonly checkpoint?: { readonly origin: string; readonly size: number };
  /** True when some events had no inclusion proof yet (appended after the last checkpoint). */
  readonly pending: boolean;
}

class Checks {
  private readonly failed = new Map<CheckId, string>();
  private readonly passed = new Map<CheckId, string>();
  fail(id: CheckId, why: string): void {
    if (!this.failed.has(id)) this.failed.set(id, why);
  }
  pass(id: CheckId, what: string): void {
    this.passed.set(id, what);
  }
  list(): CheckResult[] {
    return CHECK_ORDER.map((id) => {
      const why = this.failed.get(id);
      if (why !== undefined) return { id, ok: false, detail: why };
      const what = this.passed.get(id);
      return what !== undefined ? { id, ok: true, detail: what } : { id, ok: false, detail: 'not checked' };
    });
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Imports the pins; throws when any pinned key is unusable (a broken page must not pass). */
async function importPins(pins: TrustPins): Promise<{ log: PinnedKey; witnesses: PinnedKey[] }> {
  if (!pins || typeof pins.logKey !== 'string') throw new Error('no pinned log key');
  const log = await importVerifierKey(pins.logKey, SIG_TYPE_ED25519);
  if (!Array.isArray(pins.witnesses)) throw new Error('pinned witnesses must be a list');
  const witnesses: PinnedKey[] = [];
  for (const w of pins.witnesses) witnesses.push(await importVerifierKey(w.key, SIG_TYPE_COSIGNATURE_V1));
  if (!Number.isSafeInteger(pins.quorum) || pins.quorum < 1) throw new Error('witness quorum must be at least 1');
  if (new Set(witnesses.map((w) => `${w.name}\n${w.keyId}`)).size < pins.quorum) throw new Error('fewer distinct pinned witnesses than the quorum');
  return { log, witnesses };
}

/** Checks the checkpoint note: log signature (with origin) and witness quorum. */
async function checkCheckpoint(
  note: string,
  pins: TrustPins,
  keys: { log: PinnedKey; witnesses: PinnedKey[] },
  checks: Checks,
  witnesses: WitnessOutcome[],
): Promise<Checkpoint | null> {
  let parsed: ParsedNote;
  let cp: Checkpoint;
  try {
    parsed = parseNote(note);
    cp = parseCheckpoint(parsed.text);
  } catch (e) {
    checks.fail('log-signature', `checkpoint is malformed: ${message(e)}`);
    checks.fail('witnesses', 'checkpoint is malformed');
    return null;
  }
  const origin = pins.origin || keys.log.name;
  const logSigs = parsed.signatures.filter((s) => s.name === keys.log.name && s.keyId === keys.log.keyId);
  if (cp.origin !== origin) checks.fail('log-signature', `checkpoint origin ${JSON.stringify(cp.origin)} is not the pinned ${JSON.stringify(origin)}`);
  else if (logSigs.length === 0) checks.fail('log-signature', `no signature by the pinned log key ${keys.log.name}`);
  else {
    let all = true;
    for (const s of logSigs) all = (await verifyEd25519NoteSignature(keys.log, parsed.text, s)) && all;
    if (all) checks.pass('log-signature', `signed by ${keys.log.name}`);
    else checks.fail('log-signature', 'the log signature does not verify with the pinned log key');
  }

  let good = 0;
  const seen = new Set<string>();
  for (const w of keys.witnesses) {
    const id = `${w.name}\n${w.keyId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let ts: number | null = null;
    for (const s of parsed.signatures) {
      if (s.name !== w.name || s.keyId !== w.keyId) continue;
      ts = await verifyCosignatureV1(w, parsed.text, s);
      if (ts !== null) break;
    }
    if (ts !== null) good++;
    witnesses.push(ts === null ? { name: w.name, ok: false } : { name: w.name, ok: true, timestamp: ts });
  }
  if (good >= pins.quorum) checks.pass('witnesses', `${good} of ${seen.size} pinned witnesses cosigned; ${pins.quorum} required`);
  else checks.fail('witnesses', `${good} of ${seen.size} pinned witnesses cosigned this checkpoint; ${pins.quorum} required`);
  return cp;
}

function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Date.parse(a);
  return Number.isFinite(x) && x === Date.parse(b);
}

function placeOf(event: Record<string, unknown>): string | null {
  for (const k of ['bizLocation', 'readPoint']) {
    const v = event[k];
    if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') return (v as { id: string }).id;
  }
  return null;
}

const sameGs1 = (a: string, b: string): boolean => a === b || (canonicalGs1Uri(a) ?? a) === (canonicalGs1Uri(b) ?? b);

/** Why the displayed fields of a journey step differ from the verified event, or null. */
function displayMismatch(j: JourneyEvent, event: Record<string, unknown>, leaf: Leaf): string | null {
  if (!sameInstant(j.eventTime, event.eventTime)) return 'shown time differs from the event';
  if (bareBizStep(j.bizStep ?? null) !== bareBizStep(typeof event.bizStep === 'string' ? event.bizStep : null)) return 'shown business step differs from the event';
  const place = placeOf(event);
  if (j.place) {
    if (!place || !sameGs1(j.place.id, place)) return 'shown place differs from the event';
  } else if (place) return 'the event names a place that is not shown';
  if (j.actor && j.actor.code !== leaf.org) return 'shown actor is not the organisation that signed the event';
  if (j.eventType !== event.type) return 'shown event type differs from the event';
  return null;
}

/**
 * The organisation signed a digest of its capture request body, not the stored event: to bind the
 * event's content to that signature, the body (GET /trace/api/captures/{id}) must hash to the
 * signed digest and hold, at the leaf's capture index, an event with the leaf's Event Hash ID
 * (computed with the document's @context, as on capture).
 */
async function checkCaptureBody(leaf: Leaf, body: string | undefined): Promise<void> {
  if (typeof body !== 'string') throw new Error('the signed capture document could not be fetched');
  if (`sha-256:${toHex(await sha256(utf8(body)))}` !== leaf['capture-digest']) throw new Error('the capture document does not match the signed digest');
  const doc = JSON.parse(body) as Record<string, unknown>;
  const index = Number(leaf['capture-index']);
  const list = captureEvents(doc);
  const ev = Number.isSafeInteger(index) && index >= 0 ? list?.[index] : undefined;
  if (!ev) throw new Error('the capture document has no event at the leaf\'s capture index');
  if ((await eventHashIdWeb(ev, doc['@context'])) !== leaf['event-hash']) throw new Error('the organisation signed different event content');
}

function documentContext(body: string | undefined): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    const doc = JSON.parse(body) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)['@context'] : undefined;
  } catch {
    return undefined;
  }
}

function captureEvents(doc: Record<string, unknown>): unknown[] | null {
  if (typeof doc.type === 'string' && doc.type.endsWith('Event')) return [doc];
  const body = doc.epcisBody as Record<string, unknown> | undefined;
  if (body && Array.isArray(body.eventList)) return body.eventList;
  const results = (body?.queryResults as Record<string, unknown> | undefined)?.resultsBody as Record<string, unknown> | undefined;
  return results && Array.isArray(results.eventList) ? results.eventList : null;
}

/** Verifies one journey event; records failures on `checks` and returns this event's own outcome. */
async function checkEvent(j: JourneyEvent, cp: Checkpoint | null, captureBody: string | undefined, checks: Checks): Promise<EventOutcome & { pendingProof: boolean }> {
  const failures: CheckResult[] = [];
  const fail = (id: CheckId, detail: string): void => {
    const d = `event ${j.eventId}: ${detail}`;
    failures.push({ id, ok: false, detail: d });
    checks.fail(id, d);
  };
  const v = j.verification;
  let pendingProof = false;
  const leafIndex = v && Number.isSafeInteger(v.leafIndex) ? v.leafIndex : -1;
  let leaf: Leaf | null = null;
  let event: Record<string, unknown> | null = null;
  try {
    if (!v || typeof v.eventJson !== 'string' || typeof v.leaf !== 'string') throw new Error('no verification data');
    leaf = parseLeaf(v.leaf);
    const parsed: unknown = JSON.parse(v.eventJson);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('event JSON is not an object');
    event = parsed as Record<string, unknown>;
    const jsonDigest = `sha-256:${toHex(await sha256(utf8(v.eventJson)))}`;
    if (jsonDigest !== leaf['event-json']) throw new Error('the stored event JSON does not match the digest in the log');
    if (event.eventID !== leaf['event-id'] || j.eventId !== leaf['event-id']) throw new Error('event ID differs from the log');
    // CURIEs in the event may be defined by the capture document's @context (as on capture).
    const hashId = await eventHashIdWeb(event, documentContext(captureBody));
    if (hashId !== leaf['event-hash']) throw new Error('recomputed CBV event hash differs from the log');
  } catch (e) {
    fail('event-data', message(e));
  }

  if (leaf && v) {
    try {
      const c = v.capture;
      const pub = decodeBase64(c?.publicKey ?? '');
      const sig = decodeBase64(leaf.signature);
      if (pub?.length !== 32) throw new Error('organisation public key is not 32 bytes');
      if (sig?.length !== 64) throw new Error('organisation signature is not 64 bytes');
      const keyId = `${leaf.org}.${toHex((await sha256(pub)).subarray(0, 8))}`;
      if (keyId !== leaf.key) throw new Error('the signing key is not the one named in the log');
      const key = await importEd25519(pub);
      if (!key || !(await ed25519Verify(key, utf8(captureSignatureBase(leaf.key, leaf['capture-digest'])), sig))) {
        throw new Error('organisation signature does not verify');
      }
      await checkCaptureBody(leaf, captureBody);
    } catch (e) {
      fail('org-signature', message(e));
    }

    if (!v.inclusion) {
      pendingProof = true;
      fail('inclusion', 'no inclusion proof yet (newer than the last checkpoint)');
    } else if (cp) {
      const hashes = Array.isArray(v.inclusion.hashes) ? v.inclusion.hashes.map((h) => decodeBase64(h)) : [null];
      if (v.inclusion.treeSize !== cp.size) fail('inclusion', `proof is for tree size ${v.inclusion.treeSize}, checkpoint has ${cp.size}`);
      else if (hashes.some((h) => !h)) fail('inclusion', 'a proof hash is not canonical base64');
      else {
        const why = await inclusionProofError(leafIndex, cp.size, await leafHash(utf8(v.leaf)), hashes as Uint8Array[], cp.rootHash);
        if (why) fail('inclusion', why);
      }
    } else fail('inclusion', 'no valid checkpoint to prove against');
  } else fail('inclusion', 'no leaf to prove');

  if (leaf && event) {
    const why = displayMismatch(j, event, leaf);
    if (why) fail('consistency', why);
  } else fail('consistency', 'event could not be read');
  return { eventId: j.eventId, leafIndex, ok: failures.length === 0, failures, pendingProof };
}

/** Runs every check of the module comment on a lot view with the page's pinned keys. */
export async function verifyLot(lot: LotView, pins: TrustPins, captureBodies: ReadonlyMap<string, string> = new Map()): Promise<LotVerification> {
  const checks = new Checks();
  const witnesses: WitnessOutcome[] = [];
  if (!subtle()) {
    checks.fail('webcrypto', 'this browser offers no WebCrypto here (it needs HTTPS)');
    return { ok: false, checks: checks.list(), events: [], witnesses, pending: false };
  }
  checks.pass('webcrypto', 'WebCrypto available');
  let keys: { log: PinnedKey; witnesses: PinnedKey[] };
  try {
    keys = await importPins(pins);
    checks.pass('pins', `log key ${keys.log.name}, ${keys.witnesses.length} witness keys, quorum ${pins.quorum}`);
  } catch (e) {
    checks.fail('pins', message(e));
    return { ok: false, checks: checks.list(), events: [], witnesses, pending: false };
  }
  const cp = await checkCheckpoint(lot?.log?.checkpoint, pins, keys, checks, witnesses);
  const events: EventOutcome[] = [];
  let pending = false;
  const list = Array.isArray(lot?.events) ? lot.events : [];
  if (list.length === 0) {
    checks.fail('event-data', 'the lot has no events to verify');
  }
  for (const j of list) {
    const r = await checkEvent(j, cp, captureBodies.get(j?.verification?.capture?.captureID ?? ''), checks);
    pending ||= r.pendingProof;
    events.push({ eventId: r.eventId, leafIndex: r.leafIndex, ok: r.ok, failures: r.failures });
  }
  for (const id of ['event-data', 'org-signature', 'inclusion', 'consistency'] as const) checks.pass(id, `${list.length} events`);
  const all = checks.list();
  return {
    ok: all.every((c) => c.ok),
    checks: all,
    events,
    witnesses,
    ...(cp ? { checkpoint: { origin: cp.origin, size: cp.size } } : {}),
    pending,
  };
}
