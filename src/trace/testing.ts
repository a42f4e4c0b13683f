import type { KeyObject } from 'node:crypto';
import type { ApiResponse, TestPlatform } from '../testing/platform.ts';
import { ed25519Generate, ed25519Sign } from './log/ed25519.ts';
import { captureSignatureBase, formatSignatureHeader, keyIdFor, sha256Tagged } from './signing/capture-signature.ts';

/** A test organisation with a client-held Ed25519 key and an API key scoped to it. */
export interface TestOrg {
  readonly code: string;
  readonly orgId: number;
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly apiKey: string;
}

/** Test-only: creates an organisation through the API, registers a fresh key and a scoped API key. */
export async function setupOrg(tp: TestPlatform, code: string, kind = 'cooperative'): Promise<TestOrg> {
  const r = await tp.api('POST', '/trace/api/orgs', { code, name: `Org ${code}`, kind });
  if (r.status !== 201) throw new Error(`org create: ${r.status} ${r.text}`);
  const pair = ed25519Generate();
  const k = await tp.api('POST', `/trace/api/orgs/${code}/keys`, { publicKey: Buffer.from(pair.publicKey).toString('base64') });
  if (k.status !== 201) throw new Error(`key: ${k.status} ${k.text}`);
  const orgId = (r.body as { id: number }).id;
  const uid = await tp.p.keys.ensureUser(`user-${code}`, 'operator');
  const apiKey = (await tp.p.keys.createKey(uid, { label: 'test', role: 'operator', orgScope: orgId })).secret;
  return { code, orgId, keyId: keyIdFor(code, pair.publicKey), privateKey: pair.privateKeyObject, apiKey };
}

/** The Cantho-Signature header value for `body` signed by `org`. */
export function signBody(org: Pick<TestOrg, 'keyId' | 'privateKey'>, body: string | Uint8Array): string {
  const sig = ed25519Sign(org.privateKey, new TextEncoder().encode(captureSignatureBase(org.keyId, sha256Tagged(body))));
  return formatSignatureHeader(org.keyId, sig);
}

/** POSTs a signed EPCIS document (or single event) as the organisation. */
export async function postSigned(tp: TestPlatform, org: TestOrg, path: string, doc: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  return tp.api('POST', path, body, { key: org.apiKey, headers: { 'cantho-signature': signBody(org, body), ...headers } });
}

/** A small valid EPCIS 2.0 document (ObjectEvents on one lot), for tests and benchmarks. */
export function sampleDocument(n: number, opts: { lot?: string; gtin?: string; start?: number; bizStep?: string } = {}): Record<string, unknown> {
  const gtin = opts.gtin ?? '08936012345674';
  const lot = opts.lot ?? 'LOT1';
  const t0 = opts.start ?? Date.UTC(2025, 3, 10, 0, 30);
  const eventList = Array.from({ length: n }, (_, i) => ({
    type: 'ObjectEvent',
    eventTime: new Date(t0 + i * 1000).toISOString(),
    eventTimeZoneOffset: '+07:00',
    action: 'OBSERVE',
    bizStep: opts.bizStep ?? 'inspecting',
    disposition: 'active',
    epcList: [`https://id.gs1.org/01/${gtin}/21/S${i}`],
    quantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/${lot}`, quantity: 10 + i, uom: 'KGM' }],
    readPoint: { id: 'https://id.gs1.org/414/8936012340013' },
    bizLocation: { id: 'https://id.gs1.org/414/8936012340013' },
  }));
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(t0).toISOString(),
    epcisBody: { eventList },
  };
}

/** Waits until the publisher has a checkpoint covering `size` leaves (polls, max ~5 s). */
export async function waitForCheckpoint(tp: TestPlatform, size: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await tp.p.trace.checkpoints.publish();
    const cp = await tp.p.trace.store.latestCheckpoint();
    if (cp && cp.size >= size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no checkpoint of size ${size}`);
}

/**
 * Test-only: empties the log (events, captures, hashes, checkpoints) so that shared example
 * documents that reuse each other's eventIDs can each be captured into an empty repository.
 */
export async function resetLedger(tp: TestPlatform): Promise<void> {
  await tp.p.trace.checkpoints.publish();
  for (const t of ['trace_event_epcs', 'trace_events', 'trace_captures', 'trace_log_hashes', 'trace_cosignatures', 'trace_checkpoints']) {
    await tp.p.db.kysely.deleteFrom(t).execute();
  }
  await tp.p.db.kysely.updateTable('trace_log_state').set({ size: 0, last_record_time: 0 }).execute();
}
