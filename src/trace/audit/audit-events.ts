import { createHash } from 'node:crypto';
import { eventHashId } from '../epcis/index.ts';
import { withContextPrefixes } from '../epcis/jsonld-prefixes.ts';
import { indexEvent } from '../capture/event-index.ts';
import type { LeafRow } from '../ledger/leaf-row.ts';
import { ed25519Verify } from '../log/ed25519.ts';
import type { OrgService } from '../orgs/org.service.ts';
import { captureSignatureBase } from '../signing/capture-signature.ts';

/** One altered or inconsistent row found by the audit. */
export interface AuditFinding {
  readonly table: string;
  /** Row key: leaf index, capture ID, stored hash index, checkpoint size… */
  readonly row: string;
  readonly problem: string;
}

/** A capture's body parsed once, with the CBV hashes of its events. */
interface CaptureCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly eventHashes: readonly (string | null)[];
}

const enc = new TextEncoder();

function eventsOfBody(doc: Record<string, unknown>): unknown[] {
  const body = doc.epcisBody as Record<string, unknown> | undefined;
  if (!body) return [doc];
  if (doc.type === 'EPCISQueryDocument') return (((body.queryResults as Record<string, unknown>)?.resultsBody as Record<string, unknown>)?.eventList as unknown[]) ?? [];
  return (body.eventList as unknown[]) ?? [];
}

/**
 * Checks of one event row against itself and its capture: the Event Hash ID recomputed from the
 * stored JSON (CBV 2.0 §8.9), the JSON's eventID and recordTime against the columns, the indexed
 * columns against the JSON, the capture body's digest and the organisation's signature, and that
 * the event is (by Event Hash ID) the one at its position in the signed capture.
 */
export class EventAuditor {
  private capture: CaptureCheck | null = null;

  constructor(
    private readonly orgs: OrgService,
    private readonly loadCapture: (id: string) => Promise<{ body: string; digest: string; signature: string; keyId: string } | null>,
    private readonly report: (f: AuditFinding) => void,
  ) {}

  async check(r: LeafRow): Promise<void> {
    const row = `leaf ${r.leafIndex} (${r.eventId})`;
    const bad = (problem: string) => this.report({ table: 'trace_events', row, problem });
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(r.eventJson) as Record<string, unknown>;
    } catch {
      bad('event_json is not valid JSON');
      return;
    }
    let hash: string | null = null;
    try {
      hash = eventHashId(ev);
    } catch {
      bad('event_json is not an event object');
    }
    if (hash !== null && hash !== r.eventHash) bad(`event_hash ${r.eventHash} ≠ ${hash} recomputed from event_json`);
    if (ev.eventID !== r.eventId) bad('event_id column ≠ eventID in event_json');
    if (ev.recordTime !== new Date(r.recordTime).toISOString()) bad('record_time column ≠ recordTime in event_json');
    try {
      const f = indexEvent(ev, withContextPrefixes(ev['@context']));
      const cols: [string, unknown, unknown][] = [
        ['event_type', f.eventType, r.eventType],
        ['action', f.action, r.action],
        ['event_time', f.eventTime, r.eventTime],
        ['biz_step', f.bizStep, r.bizStep],
        ['disposition', f.disposition, r.disposition],
        ['read_point', f.readPoint, r.readPoint],
        ['biz_location', f.bizLocation, r.bizLocation],
      ];
      for (const [name, want, got] of cols) if (want !== got) bad(`${name} column ${JSON.stringify(got)} ≠ ${JSON.stringify(want)} from event_json`);
    } catch {
      bad('event_json cannot be indexed');
    }
    const cap = await this.captureCheck(r);
    if (cap.ok && hash !== null && cap.eventHashes[r.captureIndex] !== hash) {
      bad(`the signed capture ${r.captureId} holds another event at position ${r.captureIndex}`);
    }
  }

  private async captureCheck(r: LeafRow): Promise<CaptureCheck> {
    if (this.capture?.id === r.captureId) return this.capture;
    const bad = (problem: string) => this.report({ table: 'trace_captures', row: r.captureId, problem });
    const c = await this.loadCapture(r.captureId);
    let out: CaptureCheck = { id: r.captureId, ok: false, eventHashes: [] };
    if (!c) bad('capture row is missing');
    else {
      const digest = `sha-256:${createHash('sha256').update(c.body).digest('hex')}`;
      if (digest !== c.digest) bad('body does not match its digest');
      if (c.digest !== r.captureDigest || c.signature !== r.signature || c.keyId !== r.keyId) bad('capture row changed under its events');
      const key = await this.orgs.resolveKey(c.keyId).catch(() => null);
      const sig = Buffer.from(c.signature, 'base64');
      if (!key || !ed25519Verify(key.publicKey, enc.encode(captureSignatureBase(c.keyId, c.digest)), new Uint8Array(sig))) {
        bad(`the signature does not verify with ${c.keyId}'s registered key`);
      }
      try {
        const doc = JSON.parse(c.body) as Record<string, unknown>;
        const ctx = doc['@context'];
        out = {
          id: r.captureId,
          ok: true,
          eventHashes: eventsOfBody(doc).map((e) => {
            try {
              return eventHashId(e, { context: ctx });
            } catch {
              return null;
            }
          }),
        };
      } catch {
        bad('body is not valid JSON');
      }
    }
    this.capture = out;
    return out;
  }
}
