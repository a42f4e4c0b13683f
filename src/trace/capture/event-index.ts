import { resolveCbvValue } from '../epcis/cbv-vocabulary.ts';
import { timestampEpochMs } from '../epcis/date-time.ts';
import { expandCurie, type PrefixMap } from '../epcis/jsonld-prefixes.ts';
import type { EpcRow } from '../ledger/rows.ts';
import { canonicalId } from '../ids.ts';

/** Roles of the EPC side table (see trace.migration.ts). */
export const EPC_ROLE = {
  epcList: 1,
  childEPCs: 2,
  parentID: 3,
  inputEPCList: 4,
  outputEPCList: 5,
  quantityList: 11,
  childQuantityList: 12,
  inputQuantityList: 13,
  outputQuantityList: 14,
} as const;

/** The fields of an event that queries filter on, in their stored (canonical) form. */
export interface IndexedFields {
  readonly eventType: string;
  readonly action: string | null;
  readonly eventTime: number;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  readonly epcs: EpcRow[];
}

/**
 * Canonical form of a CBV-valued field for storage and for EQ_bizStep / EQ_disposition: the CBV 2.0
 * Web URI for standard terms in any spelling (bare word, URN, Web URI, CURIE), the expanded IRI for
 * user-defined values; null when the value is not acceptable.
 */
export function canonicalCbv(vocabulary: 'bizStep' | 'disposition', v: string, prefixes: PrefixMap): string | null {
  const r = resolveCbvValue(vocabulary, v, (s) => expandCurie(s, prefixes));
  return r.status === 'invalid' ? null : r.uri;
}

/** Canonical form of a readPoint/bizLocation ID (Digital Link for SGLN/GLN, else the expanded IRI). */
export function canonicalLocation(v: string, prefixes: PrefixMap): string {
  return canonicalId(expandCurie(v, prefixes));
}

/** Epoch milliseconds of an xsd:dateTimeStamp (CBV 2.0 §8.9 rounding to milliseconds). */
export function epochMs(s: string): number {
  return timestampEpochMs(s);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function idOf(v: unknown): string | null {
  return v !== null && typeof v === 'object' ? str((v as { id?: unknown }).id) : null;
}

const EPC_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

/** Adds one EPC (or class) of `role` in canonical form unless already listed with that role. */
function addEpc(epcs: EpcRow[], seen: Set<string>, v: unknown, role: number, prefixes: PrefixMap): void {
  if (typeof v !== 'string' || v.length > 512) return;
  const epc = canonicalId(expandCurie(v, prefixes));
  const key = `${role} ${epc}`;
  if (seen.has(key)) return;
  seen.add(key);
  epcs.push({ epc, role });
}

/**
 * Extracts the indexed fields of a validated event. Every EPC and class goes to the side table in
 * canonical Digital Link form (EPCIS 2.0 §8.2.7.1.1 matching then compares like with like).
 */
export function indexEvent(ev: Record<string, unknown>, prefixes: PrefixMap): IndexedFields {
  const epcs: EpcRow[] = [];
  const seen = new Set<string>();
  for (const f of EPC_LISTS) {
    const list = ev[f];
    if (Array.isArray(list)) for (const v of list) addEpc(epcs, seen, v, EPC_ROLE[f], prefixes);
  }
  addEpc(epcs, seen, ev.parentID, EPC_ROLE.parentID, prefixes);
  for (const f of QUANTITY_LISTS) {
    const list = ev[f];
    if (Array.isArray(list)) for (const q of list) if (q && typeof q === 'object') addEpc(epcs, seen, (q as { epcClass?: unknown }).epcClass, EPC_ROLE[f], prefixes);
  }
  const bizStep = str(ev.bizStep);
  const disposition = str(ev.disposition);
  const readPoint = idOf(ev.readPoint);
  const bizLocation = idOf(ev.bizLocation);
  return {
    eventType: String(ev.type),
    action: str(ev.action),
    eventTime: epochMs(String(ev.eventTime)),
    bizStep: bizStep === null ? null : canonicalCbv('bizStep', bizStep, prefixes),
    disposition: disposition === null ? null : canonicalCbv('disposition', disposition, prefixes),
    readPoint: readPoint === null ? null : canonicalLocation(readPoint, prefixes),
    bizLocation: bizLocation === null ? null : canonicalLocation(bizLocation, prefixes),
    epcs,
  };
}
