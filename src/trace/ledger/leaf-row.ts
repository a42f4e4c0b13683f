import type { EventRow } from './rows.ts';

/** An event row plus the capture fields its leaf commits to. */
export interface LeafRow extends EventRow {
  readonly orgCode: string;
  readonly keyId: string;
  readonly captureDigest: string;
  readonly signature: string;
}

/** Shared row mapping of the leaves query (both dialects select the same columns). */
export function mapLeafRow(r: Record<string, unknown>): LeafRow {
  return {
    leafIndex: Number(r.leaf_index),
    eventId: r.event_id as string,
    eventHash: r.event_hash as string,
    eventType: r.event_type as string,
    action: (r.action as string | null) ?? null,
    eventTime: Number(r.event_time),
    recordTime: Number(r.record_time),
    bizStep: (r.biz_step as string | null) ?? null,
    disposition: (r.disposition as string | null) ?? null,
    readPoint: (r.read_point as string | null) ?? null,
    bizLocation: (r.biz_location as string | null) ?? null,
    captureId: r.capture_id as string,
    captureIndex: Number(r.capture_index),
    orgId: Number(r.org_id),
    eventJson: r.event_json as string,
    orgCode: r.org_code as string,
    keyId: r.key_id as string,
    captureDigest: r.digest as string,
    signature: r.signature as string,
  };
}

/** Columns of the leaves query. */
export const LEAF_COLUMNS = `e.leaf_index, e.event_id, e.event_hash, e.event_type, e.action, e.event_time, e.record_time, e.biz_step,
  e.disposition, e.read_point, e.biz_location, e.capture_id, e.capture_index, e.org_id, e.event_json, o.code AS org_code,
  c.key_id, c.digest, c.signature`;

/** FROM clause of the leaves query. */
export const LEAF_FROM = 'trace_events e JOIN trace_captures c ON c.id = e.capture_id JOIN trace_orgs o ON o.id = c.org_id';
