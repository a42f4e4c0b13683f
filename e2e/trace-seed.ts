import { createHash } from 'node:crypto';
import { formatNote, parseNote, signNoteText } from '../src/trace/log/note.ts';
import { cosignatureSigner } from '../src/trace/log/cosignature.ts';
import { ed25519FromSeed, ed25519Sign } from '../src/trace/log/ed25519.ts';
import { demoEvent, JOURNEYS, ORGS, PLACES, PRODUCTS } from '../src/trace/web/testing/demo-journeys.ts';

/**
 * Seeds the demo rice and pangasius journeys into a running platform through the public trace
 * API only (docs/api/trace.md §1–§2): organisations with their own client-held Ed25519 keys,
 * products, locations, and one signed EPCIS capture per step. Then plays the witness: cosigns
 * the latest checkpoint (cosignature/v1) and posts it back, as `cantho witness` would.
 */

const sha256hex = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');
const seedOf = (name: string): Uint8Array => new Uint8Array(createHash('sha256').update(`e2e-org-seed:${name}`).digest());

export type Api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; text: string; json(): unknown }>

/** An API caller over fetch against `base`, with the admin key. */
export function apiClient(base: string, adminKey: string): Api {
  return async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${adminKey}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const r = await fetch(base + path, init);
    const text = await r.text();
    return { status: r.status, text, json: () => JSON.parse(text) };
  };
}

async function must(p: ReturnType<Api>, want: number[], what: string): Promise<void> {
  const r = await p;
  if (!want.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 500)}`);
}

/** Seeds organisations, keys, master data and every demo step; returns the number of events. */
export async function seedDemoJourneys(api: Api): Promise<number> {
  const keyIds = new Map<string, { keyId: string; seed: Uint8Array }>();
  for (const o of ORGS) {
    const { custodial: _c, ...org } = o;
    await must(api('POST', '/trace/api/orgs', { ...org, certificates: org.certificates ?? [] }), [201], `create org ${o.code}`);
    const pair = ed25519FromSeed(seedOf(o.code));
    await must(api('POST', `/trace/api/orgs/${o.code}/keys`, { publicKey: Buffer.from(pair.publicKey).toString('base64') }), [201], `key of ${o.code}`);
    keyIds.set(o.code, { keyId: `${o.code}.${sha256hex(pair.publicKey).slice(0, 16)}`, seed: seedOf(o.code) });
  }
  for (const p of PLACES) {
    const owner = ORGS.find((o) => Math.abs((o.lat ?? 0) - (p.lat ?? 0)) < 0.02 && Math.abs((o.lon ?? 0) - (p.lon ?? 0)) < 0.02)?.code ?? null;
    await must(api('PUT', `/trace/api/locations/${p.gln}`, { name: p.name, address: p.address, lat: p.lat, lon: p.lon, org: owner }), [200, 201], `location ${p.gln}`);
  }
  for (const p of PRODUCTS) {
    await must(api('PUT', `/trace/api/products/${p.gtin}`, { name: p.name, nameEn: p.nameEn, description: p.description, category: p.category, ownerOrg: p.ownerOrg }), [200, 201], `product ${p.gtin}`);
  }
  const steps = JOURNEYS.flatMap((j) => j.steps.map((s) => ({ j, s }))).sort((a, b) => Date.parse(a.s.time) - Date.parse(b.s.time));
  for (const { j, s } of steps) {
    const ev = demoEvent(j, s);
    const body = JSON.stringify({ '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: ev.eventTime, epcisBody: { eventList: [ev] } });
    const k = keyIds.get(s.org)!;
    const base = `cantho-capture/v1\nkey ${k.keyId}\ndigest sha-256:${sha256hex(body)}\n`;
    const sig = Buffer.from(ed25519Sign(ed25519FromSeed(k.seed).privateKeyObject, new TextEncoder().encode(base))).toString('base64');
    await must(api('POST', '/epcis/capture', body, { 'cantho-signature': `keyid="${k.keyId}", sig="${sig}"`, 'content-type': 'application/ld+json' }), [202], `capture ${s.bizStep} of ${j.lot}`);
  }
  return steps.length;
}

/** Waits for a checkpoint of at least `size` leaves and returns its note. */
export async function waitForCheckpoint(api: Api, size: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = await api('GET', '/trace/log/checkpoint');
    if (r.status === 200 && Number(r.text.split('\n')[1]) >= size) return r.text;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no checkpoint of size ${size}`);
}

/** The witness: cosigns the latest checkpoint with `witnessSignerKey` and posts the cosignature. */
export async function cosignLatest(api: Api, witnessSignerKey: string, size: number): Promise<void> {
  const note = await waitForCheckpoint(api, size);
  const text = parseNote(note).text;
  const line = signNoteText(text, cosignatureSigner(witnessSignerKey));
  await must(api('POST', '/trace/log/cosignatures', formatNote(text, [line]), { 'content-type': 'text/plain; charset=utf-8' }), [200], 'post cosignature');
}
