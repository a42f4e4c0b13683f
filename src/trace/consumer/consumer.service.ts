import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { glnOf, lotUri, normaliseGtin } from '../ids.ts';
import type { CheckpointService, ServedCheckpoint } from '../ledger/checkpoint.service.ts';
import type { LeafRow } from '../ledger/leaf-row.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { TrustConfig } from '../ledger/log-identity.ts';
import type { ProofService } from '../ledger/proof.service.ts';
import type { OrgService } from '../orgs/org.service.ts';
import type { Location, Org, Product } from '../orgs/org.types.ts';
import { captureSignatureBase } from '../signing/capture-signature.ts';
import { findJourney, leafByEventId } from './lot-finder.ts';
import { type Verification, verificationOf } from './verification.ts';

const CBV = 'https://ref.gs1.org/cbv/';

/** A standard CBV Web URI as its bare term (`…/BizStep-shipping` → `shipping`); others unchanged. */
function bare(v: string | null): string | null {
  if (v === null || !v.startsWith(CBV)) return v;
  const m = /^(?:BizStep|Disp)-(.+)$/.exec(v.slice(CBV.length));
  return m ? m[1]! : v;
}

/** One step of a lot's journey (docs/api/trace.md §5 `JourneyEvent`). */
export interface JourneyEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly action: string | null;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string | null;
  readonly recordTime: string;
  readonly place: (Location & { id: string }) | null;
  readonly actor: Org | null;
  readonly certificates: Org['certificates'];
  readonly certificationInfo: readonly string[];
  readonly event: Record<string, unknown>;
  readonly verification: Verification;
}

/**
 * The data behind the consumer page (QR code → GS1 Digital Link → this API): a lot's product,
 * producer and journey, each step with everything needed to verify it in the browser against one
 * checkpoint — the latest witnessed one when it covers every step.
 */
export class ConsumerService {
  constructor(
    private readonly db: Database,
    private readonly orgs: OrgService,
    private readonly store: LedgerStore,
    private readonly checkpoints: CheckpointService,
    private readonly proofs: ProofService,
  ) {}

  async lot(gtinRaw: string, lot: string, serial: string | null): Promise<Record<string, unknown>> {
    const gtin = normaliseGtin(gtinRaw);
    if (!gtin) throw new AppError('INVALID_PATH', 'the GTIN must have 8, 12, 13 or 14 digits and a valid check digit');
    const uri = lotUri(gtin, lot, serial);
    if (!uri) throw new AppError('INVALID_PATH', 'the lot (AI 10) or serial (AI 21) is not a valid GS1 value (at most 20 characters)');
    const rows = await findJourney(this.db, uri);
    if (rows.length === 0) throw new AppError('NOT_FOUND', `no traceability events for ${uri}`);
    const cp = await this.checkpointFor(Math.max(...rows.map((r) => r.leafIndex)));
    const orgs = new Map((await this.orgs.repo.listOrgs([...new Set(rows.map((r) => r.orgCode))])).map((o) => [o.code, o]));
    const glns = rows.map((r) => glnOf(r.bizLocation ?? r.readPoint)).filter((g): g is string => g !== null);
    const places = new Map((await this.orgs.repo.locations([...new Set(glns)])).map((l) => [l.gln, l]));
    const events: JourneyEvent[] = [];
    for (const r of rows) events.push(await this.journeyEvent(r, cp?.size ?? null, orgs, places));
    const product: Product | null = await this.orgs.repo.product(gtin);
    const producerCode = product?.ownerOrg ?? rows[0]!.orgCode;
    const producer = orgs.get(producerCode) ?? (await this.orgs.repo.listOrgs([producerCode]))[0] ?? null;
    const ilmd = events.map((e) => e.event.ilmd).find((x) => x !== undefined) ?? null;
    return {
      digitalLink: uri,
      gtin,
      lot,
      serial,
      product,
      producer,
      lotData: { ilmd },
      events,
      log: cp ? { origin: this.checkpoints.identity.origin, treeSize: cp.size, witnessed: this.checkpoints.isWitnessed(cp.note), checkpoint: cp.note } : null,
      trust: this.trust(),
    };
  }

  trust(): TrustConfig {
    return this.checkpoints.trust();
  }

  /** The checkpoint all steps are proven against: witnessed if it covers `maxLeaf`, else the latest. */
  private async checkpointFor(maxLeaf: number): Promise<ServedCheckpoint | null> {
    return (await this.proofs.checkpointFor(maxLeaf)) ?? (await this.checkpoints.latest());
  }

  private async journeyEvent(r: LeafRow, treeSize: number | null, orgs: Map<string, Org>, places: Map<string, Location>): Promise<JourneyEvent> {
    const event = JSON.parse(r.eventJson) as Record<string, unknown>;
    const locId = r.bizLocation ?? r.readPoint;
    const gln = glnOf(locId);
    const place = gln && places.get(gln) ? { ...places.get(gln)!, id: locId! } : null;
    const actor = orgs.get(r.orgCode) ?? null;
    const ci = event.certificationInfo;
    return {
      eventId: r.eventId,
      eventType: r.eventType,
      action: r.action,
      bizStep: bare(r.bizStep),
      disposition: bare(r.disposition),
      eventTime: String(event.eventTime),
      eventTimeZoneOffset: typeof event.eventTimeZoneOffset === 'string' ? event.eventTimeZoneOffset : null,
      recordTime: new Date(r.recordTime).toISOString(),
      place,
      actor,
      certificates: actor?.certificates ?? [],
      certificationInfo: Array.isArray(ci) ? ci.filter((x): x is string => typeof x === 'string') : typeof ci === 'string' ? [ci] : [],
      event,
      verification: await verificationOf(r, treeSize, this.store, this.orgs),
    };
  }

  /** The verification object of one event (against the best checkpoint covering it). */
  async eventVerification(eventId: string): Promise<Record<string, unknown>> {
    const row = await leafByEventId(this.db, eventId);
    if (!row) throw new AppError('NOT_FOUND', 'no event with that eventID');
    const cp = await this.checkpointFor(row.leafIndex);
    return {
      ...(await verificationOf(row, cp?.size ?? null, this.store, this.orgs)),
      checkpoint: cp?.note ?? null,
      witnessed: cp ? this.checkpoints.isWitnessed(cp.note) : false,
    };
  }

  /** A capture with its exact body, so anyone can re-check its digest and signature. */
  async capture(id: string): Promise<Record<string, unknown>> {
    const r = await sql<{ id: string; code: string; key_id: string; digest: string; signature: string; body: string; created_at: number; event_count: number }>`
      SELECT c.id, o.code, c.key_id, c.digest, c.signature, c.body, c.created_at, c.event_count FROM trace_captures c JOIN trace_orgs o ON o.id = c.org_id
      WHERE c.id = ${id}`.execute(this.db.kysely);
    const c = r.rows[0];
    if (!c) throw new AppError('NOT_FOUND', `no capture ${id}`);
    const key = await this.orgs.resolveKey(c.key_id);
    return {
      captureID: c.id,
      org: c.code,
      keyId: c.key_id,
      digest: c.digest,
      signature: c.signature,
      signatureBase: captureSignatureBase(c.key_id, c.digest),
      publicKey: key?.publicKeyB64 ?? null,
      createdAt: new Date(Number(c.created_at)).toISOString(),
      eventCount: Number(c.event_count),
      body: c.body,
    };
  }

  /** The tlog-proof file of an event, or null when unknown. */
  async proofFile(eventId: string): Promise<string | null> {
    const row = await leafByEventId(this.db, eventId);
    return row ? this.proofs.proofFile(row) : null;
  }
}
