import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { EPC_ROLE } from '../capture/event-index.ts';
import { LEAF_COLUMNS, LEAF_FROM, type LeafRow, mapLeafRow } from '../ledger/leaf-row.ts';

/** Bounds of a lot journey: identifiers followed, depth and events returned. */
export const JOURNEY_LIMITS = { depth: 3, identifiers: 50, events: 200 } as const;

interface EpcHit {
  leaf_index: number;
  role: number;
  event_type: string;
}

/**
 * Finds the events of a lot's journey: every event naming the lot (EPC lists or quantity classes),
 * then, breadth first up to {@link JOURNEY_LIMITS}.depth, the inputs of the TransformationEvents
 * that produced it (paddy → milled rice, whole fish → fillets; EPCIS 2.0 §7.4.6) and the parents
 * it was aggregated into (lot → pallet SSCC, whose shipping events then count; §7.4.3).
 */
export async function findJourney(db: Database, start: string): Promise<LeafRow[]> {
  const leaves = new Set<number>();
  const seen = new Set<string>([start]);
  let frontier = [start];
  for (let depth = 0; depth <= JOURNEY_LIMITS.depth && frontier.length > 0 && leaves.size < JOURNEY_LIMITS.events; depth++) {
    const hits = (
      await sql<EpcHit>`SELECT x.leaf_index, x.role, e.event_type FROM trace_event_epcs x JOIN trace_events e ON e.leaf_index = x.leaf_index
        WHERE x.epc IN (${sql.join(frontier)}) ORDER BY x.leaf_index LIMIT ${JOURNEY_LIMITS.events}`.execute(db.kysely)
    ).rows;
    const next: string[] = [];
    const follow = new Map<number, number[]>(); // leaf → roles to follow
    for (const h of hits) {
      leaves.add(Number(h.leaf_index));
      const role = Number(h.role);
      if (h.event_type === 'TransformationEvent' && (role === EPC_ROLE.outputEPCList || role === EPC_ROLE.outputQuantityList)) {
        follow.set(Number(h.leaf_index), [EPC_ROLE.inputEPCList, EPC_ROLE.inputQuantityList]);
      }
      if (h.event_type === 'AggregationEvent' && (role === EPC_ROLE.childEPCs || role === EPC_ROLE.childQuantityList)) {
        follow.set(Number(h.leaf_index), [EPC_ROLE.parentID]);
      }
    }
    for (const [leaf, roles] of follow) {
      const r = await sql<{ epc: string }>`SELECT epc FROM trace_event_epcs WHERE leaf_index = ${leaf} AND role IN (${sql.join(roles)})`.execute(db.kysely);
      for (const { epc } of r.rows) {
        if (seen.has(epc) || seen.size >= JOURNEY_LIMITS.identifiers) continue;
        seen.add(epc);
        next.push(epc);
      }
    }
    frontier = next;
  }
  if (leaves.size === 0) return [];
  const list = [...leaves].sort((a, b) => a - b).slice(0, JOURNEY_LIMITS.events);
  const rows = await sql<Record<string, unknown>>`SELECT ${sql.raw(LEAF_COLUMNS)} FROM ${sql.raw(LEAF_FROM)} WHERE e.leaf_index IN (${sql.join(list)})`.execute(db.kysely);
  return rows.rows.map(mapLeafRow).sort((a, b) => a.eventTime - b.eventTime || a.leafIndex - b.leafIndex);
}

/** One stored leaf by eventID, or null. */
export async function leafByEventId(db: Database, eventId: string): Promise<LeafRow | null> {
  const rows = await sql<Record<string, unknown>>`SELECT ${sql.raw(LEAF_COLUMNS)} FROM ${sql.raw(LEAF_FROM)} WHERE e.event_id = ${eventId}`.execute(db.kysely);
  return rows.rows[0] ? mapLeafRow(rows.rows[0]) : null;
}
