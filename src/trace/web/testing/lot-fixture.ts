import { createHash } from 'node:crypto';
import { eventHashId } from '../../epcis/event-hash.ts';
import { formatCheckpoint } from '../../log/checkpoint.ts';
import { cosignatureSigner } from '../../log/cosignature.ts';
import { ed25519FromSeed, ed25519Sign } from '../../log/ed25519.ts';
import { leafHash } from '../../log/hashing.ts';
import { inclusionProof } from '../../log/inclusion-proof.ts';
import { MemoryHashStore } from '../../log/memory-store.ts';
import { formatNote, parseNote, signNote, signNoteText } from '../../log/note.ts';
import { ed25519NoteSigner, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from '../../log/note-keys.ts';
import type { JourneyEvent, LotView, TrustPins } from '../lot-types.ts';
import { captureSignatureBase } from '../verifier/leaf.ts';
import { demoEvent, JOURNEYS, ORGS, PLACES, PRODUCTS } from './demo-journeys.ts';

/**
 * Builds, with the project's node:crypto log library (src/trace/log), a complete verifiable log of
 * the demo journeys exactly as docs/api/trace.md §4–§5 describe it: organisation-signed captures,
 * `cantho-trace-leaf/v1` leaves, an RFC 9162 tree, a checkpoint signed by the log key and
 * cosigned by witnesses, and the consumer API's lot views. Used to test the browser verifier in
 * Node independently of the backend, and to model tampering (rewrite, re-sign) precisely.
 */

const sha256hex = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

interface Entry {
  eventJson: string;
  event: Record<string, unknown>;
  org: string;
  captureID: string;
  leaf: string;
  journey: number;
  step: number;
}

export interface CaptureRecord {
  readonly captureID: string;
  readonly org: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly digest: string;
  readonly signature: string;
  readonly signatureBase: string;
  readonly body: string;
}

export interface DemoLog {
  readonly pins: TrustPins;
  readonly logSignerKey: string;
  readonly witnessSignerKeys: readonly string[];
  readonly orgSeeds: ReadonlyMap<string, Uint8Array>;
  readonly captures: Map<string, CaptureRecord>;
  entries: Entry[];
  /** The signed (and, unless told otherwise, cosigned) checkpoint note. */
  checkpoint: string;
}

/** Deterministic 32-byte seed for a name (tests only). */
const seedOf = (name: string): Uint8Array => new Uint8Array(createHash('sha256').update(`demo-seed:${name}`).digest());

function capture(log: DemoLog, org: string, index: number, doc: Record<string, unknown>, at: number): CaptureRecord {
  const body = JSON.stringify(doc);
  const pair = ed25519FromSeed(log.orgSeeds.get(org)!);
  const keyId = `${org}.${sha256hex(pair.publicKey).slice(0, 16)}`;
  const digest = `sha-256:${sha256hex(body)}`;
  const signatureBase = captureSignatureBase(keyId, digest);
  const signature = b64(ed25519Sign(pair.privateKeyObject, new TextEncoder().encode(signatureBase)));
  const rec = { captureID: `c_demo${String(index).padStart(4, '0')}_${at}`, org, keyId, publicKey: b64(pair.publicKey), digest, signature, signatureBase, body };
  log.captures.set(rec.captureID, rec);
  return rec;
}

/** The `cantho-trace-leaf/v1` text for an entry (docs/api/trace.md §4.1). */
export function leafText(f: { eventId: string; eventHash: string; eventJson: string; recordTime: string; capture: CaptureRecord; captureIndex: number }): string {
  return [
    'cantho-trace-leaf/v1',
    `event-id ${f.eventId}`,
    `event-hash ${f.eventHash}`,
    `event-json sha-256:${sha256hex(f.eventJson)}`,
    `record-time ${f.recordTime}`,
    `org ${f.capture.org}`,
    `key ${f.capture.keyId}`,
    `capture ${f.capture.captureID}`,
    `capture-digest ${f.capture.digest}`,
    `capture-index ${f.captureIndex}`,
    `signature ${f.capture.signature}`,
    '',
  ].join('\n');
}

/** Builds the demo log: every step of every demo journey captured by its organisation, in time order. */
export function buildDemoLog(opts: { witnesses?: number; quorum?: number; origin?: string } = {}): DemoLog {
  const origin = opts.origin ?? 'cantho.example/trace/log';
  const logKeys = generateNoteKeys(origin);
  const witnessKeys = Array.from({ length: opts.witnesses ?? 2 }, (_, i) => generateNoteKeys(`witness${i + 1}.skhcn.cantho.example`, SIG_TYPE_COSIGNATURE_V1));
  const log: DemoLog = {
    pins: { origin, logKey: logKeys.verifierKey, witnesses: witnessKeys.map((w, i) => ({ name: `witness${i + 1}.skhcn.cantho.example`, key: w.verifierKey })), quorum: opts.quorum ?? 1 },
    logSignerKey: logKeys.signerKey,
    witnessSignerKeys: witnessKeys.map((w) => w.signerKey),
    orgSeeds: new Map(ORGS.map((o) => [o.code, seedOf(o.code)])),
    captures: new Map(),
    entries: [],
    checkpoint: '',
  };
  const steps = JOURNEYS.flatMap((j, ji) => j.steps.map((s, si) => ({ j, ji, s, si }))).sort((a, b) => Date.parse(a.s.time) - Date.parse(b.s.time));
  for (const [n, { j, ji, s, si }] of steps.entries()) {
    const ev = demoEvent(j, s);
    const doc = { '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: ev.eventTime, epcisBody: { eventList: [ev] } };
    const at = Date.parse(s.time) + 60_000;
    const cap = capture(log, s.org, n, doc, at);
    const eventHash = eventHashId(ev, { context: doc['@context'] });
    const recordTime = new Date(at).toISOString();
    const stored = { ...ev, eventID: eventHash, recordTime };
    const eventJson = JSON.stringify(stored);
    const leaf = leafText({ eventId: eventHash, eventHash, eventJson, recordTime, capture: cap, captureIndex: 0 });
    log.entries.push({ eventJson, event: stored, org: s.org, captureID: cap.captureID, leaf, journey: ji, step: si });
  }
  signCheckpoint(log, { cosign: true });
  return log;
}

function tree(log: DemoLog): MemoryHashStore {
  const store = new MemoryHashStore();
  for (const e of log.entries) store.append(leafHash(new TextEncoder().encode(e.leaf)));
  return store;
}

/** Signs a checkpoint of the current entries with the log key, with or without witness cosignatures. */
export function signCheckpoint(log: DemoLog, opts: { cosign: boolean }): string {
  const store = tree(log);
  const text = formatCheckpoint({ origin: log.pins.origin, size: log.entries.length, rootHash: store.root() });
  const logSig = parseNote(signNote(text, [ed25519NoteSigner(log.logSignerKey)])).signatures;
  const cosigs = opts.cosign ? log.witnessSignerKeys.map((k, i) => signNoteText(text, cosignatureSigner(k, { now: () => 1_745_000_000 + i }))) : [];
  log.checkpoint = formatNote(text, [...logSig, ...cosigs]);
  return log.checkpoint;
}

/**
 * The operator's rewrite: changes a stored event (and everything the operator can recompute:
 * event hash, event ID, leaf), as a log operator holding the log key would to rewrite history.
 */
export function rewriteEvent(log: DemoLog, journey: number, step: number, mutate: (ev: Record<string, unknown>) => void): void {
  const e = log.entries.find((x) => x.journey === journey && x.step === step)!;
  const ev = structuredClone(e.event);
  delete ev.eventID;
  mutate(ev);
  const eventHash = eventHashId(ev);
  const stored = { ...ev, eventID: eventHash, recordTime: e.event.recordTime };
  e.event = stored;
  e.eventJson = JSON.stringify(stored);
  e.leaf = leafText({ eventId: eventHash, eventHash, eventJson: e.eventJson, recordTime: String(stored.recordTime), capture: log.captures.get(e.captureID)!, captureIndex: 0 });
}

/**
 * The operator also re-signs the capture with the organisation's key, as it can for a custodial
 * (server-held) demo key: the capture document then holds the rewritten event.
 */
export function resignCapture(log: DemoLog, journey: number, step: number): void {
  const e = log.entries.find((x) => x.journey === journey && x.step === step)!;
  const old = log.captures.get(e.captureID)!;
  const doc = JSON.parse(old.body) as { epcisBody: { eventList: Record<string, unknown>[] } };
  const { eventID: _id, recordTime: _rt, ...content } = e.event;
  doc.epcisBody.eventList[0] = content;
  log.captures.delete(old.captureID);
  const cap = capture(log, e.org, 9000 + log.captures.size, doc as unknown as Record<string, unknown>, Date.parse(String(e.event.recordTime)));
  e.captureID = cap.captureID;
  e.leaf = leafText({ eventId: String(e.event.eventID), eventHash: String(e.event.eventID), eventJson: e.eventJson, recordTime: String(e.event.recordTime), capture: cap, captureIndex: 0 });
}

/** The consumer API's lot view (docs/api/trace.md §5) of a demo journey, with proofs for the current checkpoint. */
export async function lotView(log: DemoLog, journey: number): Promise<LotView> {
  const j = JOURNEYS[journey]!;
  const store = tree(log);
  const size = log.entries.length;
  const events: JourneyEvent[] = [];
  for (const [index, e] of log.entries.entries()) {
    if (e.journey !== journey) continue;
    const s = j.steps[e.step]!;
    const org = ORGS.find((o) => o.code === e.org)!;
    const cap = log.captures.get(e.captureID)!;
    const place = PLACES[s.place]!;
    events.push({
      eventId: String(e.event.eventID),
      eventType: String(e.event.type),
      action: e.event.action as string,
      bizStep: String(e.event.bizStep),
      disposition: (e.event.disposition as string) ?? null,
      eventTime: String(e.event.eventTime),
      eventTimeZoneOffset: '+07:00',
      recordTime: String(e.event.recordTime),
      place,
      actor: org,
      certificates: org.certificates ?? [],
      lot: { gtin: j.gtin, lot: j.lot },
      event: e.event,
      verification: {
        eventJson: e.eventJson,
        leafIndex: index,
        leaf: e.leaf,
        capture: { captureID: cap.captureID, org: cap.org, keyId: cap.keyId, publicKey: cap.publicKey, digest: cap.digest, signature: cap.signature, signatureBase: cap.signatureBase, custodial: false },
        inclusion: { treeSize: size, hashes: (await inclusionProof(index, size, store)).map(b64) },
      },
    });
  }
  const product = PRODUCTS.find((p) => p.gtin === j.gtin)!;
  return {
    digitalLink: `https://id.gs1.org/01/${j.gtin}/10/${j.lot}`,
    gtin: j.gtin,
    lot: j.lot,
    serial: null,
    product,
    producer: ORGS.find((o) => o.code === product.ownerOrg) ?? null,
    lotData: { ilmd: (events[0]?.event.ilmd as Record<string, unknown>) ?? null },
    events,
    log: { origin: log.pins.origin, treeSize: size, witnessed: log.checkpoint.split('\n').length > 6, checkpoint: log.checkpoint },
    trust: log.pins,
  };
}

/** Capture bodies by ID, as the verifier fetches them from GET /trace/api/captures/{id}. */
export function captureBodies(log: DemoLog): Map<string, string> {
  return new Map([...log.captures.values()].map((c) => [c.captureID, c.body]));
}
