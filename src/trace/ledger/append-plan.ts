import { leafHashOfText, storedHashIndex } from '../log/merkle.ts';
import { sha256Tagged } from '../signing/capture-signature.ts';
import type { Frontier } from './frontier.ts';
import { leafFormatter } from './leaf.ts';
import type { CaptureProblem, CaptureRow, EventRow, PreparedEvent } from './rows.ts';

/** One capture waiting to be appended. */
export interface AppendItem {
  readonly capture: Omit<CaptureRow, 'success' | 'errors' | 'eventCount' | 'firstLeaf' | 'finishedAt'>;
  readonly orgCode: string;
  /** Problems found before appending (invalid events under `proceed`). */
  readonly preErrors: readonly CaptureProblem[];
  readonly events: readonly PreparedEvent[];
}

/** What became of one item. */
export type ItemResult =
  | { readonly kind: 'replay' }
  | { readonly kind: 'done'; readonly capture: CaptureRow; readonly events: readonly EventRow[]; readonly duplicates: readonly string[] };

/** The log's state read inside the append transaction plus what is already stored. */
export interface AppendContext {
  readonly size: number;
  readonly lastRecordTime: number;
  readonly now: number;
  readonly existingIds: ReadonlySet<string>;
  readonly existingDigests: ReadonlySet<string>;
  /** Border of the tree of `size` leaves; advanced in place. */
  readonly frontier: Frontier;
}

/** Everything one append transaction writes. */
export interface AppendPlan {
  readonly results: ItemResult[];
  readonly captures: CaptureRow[];
  readonly events: EventRow[];
  /** EPC side-table rows as three parallel columns (what the bulk statements bind). */
  readonly epcs: { readonly epc: string[]; readonly role: number[]; readonly leafIndex: number[] };
  /** Stored index of hashes[0]; the hashes are consecutive. */
  readonly hashStart: number;
  readonly hashes: Uint8Array[];
  readonly size: number;
  readonly lastRecordTime: number;
}

function duplicateProblem(id: string, index: number): CaptureProblem {
  return { type: 'epcisException:ValidationException', title: 'Duplicate eventID', status: 409, detail: `an event with eventID ${id} is already stored`, instance: `/epcisBody/eventList/${index}` };
}

/**
 * Decides, for a batch of captures, which events become which leaves and computes every row and
 * hash to store. Pure and synchronous, so that both storage back-ends run the same logic inside
 * their own transaction. Rules: a capture digest seen before is a replay (nothing stored); an
 * eventID seen before (stored or earlier in the batch) fails a `rollback` capture entirely and is
 * skipped under `proceed` (EPCIS 2.0 REST binding, GS1-Capture-Error-Behaviour). recordTime is
 * assigned here, non-decreasing in leaf order (EPCIS 2.0 §7.4.1: set by the repository).
 */
export function planAppend(items: readonly AppendItem[], ctx: AppendContext): AppendPlan {
  const seenIds = new Set<string>();
  const seenDigests = new Set<string>();
  let size = ctx.size;
  const hashStart = storedHashIndex(0, size);
  const recordTime = Math.max(ctx.now, ctx.lastRecordTime);
  const recordIso = new Date(recordTime).toISOString();
  const plan: AppendPlan = { results: [], captures: [], events: [], epcs: { epc: [], role: [], leafIndex: [] }, hashStart, hashes: [], size, lastRecordTime: recordTime };
  // The event JSON ends with the recordTime member the repository sets (EPCIS 2.0 §7.4.1).
  const recordMember = `,"recordTime":"${recordIso}"}`;
  const { epcs, hashes, events } = plan;
  for (const item of items) {
    const c = item.capture;
    if (ctx.existingDigests.has(c.digest) || seenDigests.has(c.digest)) {
      plan.results.push({ kind: 'replay' });
      continue;
    }
    seenDigests.add(c.digest);
    let dupSet: Set<string> | undefined;
    for (const e of item.events) {
      if (!ctx.existingIds.has(e.eventId) && !seenIds.has(e.eventId)) continue;
      dupSet ??= new Set();
      dupSet.add(e.eventId);
    }
    const dups = dupSet ? item.events.filter((e) => dupSet.has(e.eventId)) : [];
    const errors: CaptureProblem[] = [...item.preErrors, ...dups.map((e) => duplicateProblem(e.eventId, e.captureIndex))];
    const accepted = c.behaviour === 'rollback' && errors.length > 0 ? [] : dupSet ? item.events.filter((e) => !dupSet.has(e.eventId)) : item.events;
    const firstLeaf = accepted.length > 0 ? size : null;
    const rows: EventRow[] = [];
    const leaf = accepted.length > 0
      ? leafFormatter({ recordTime: recordIso, org: item.orgCode, keyId: c.keyId, captureId: c.id, captureDigest: c.digest, signature: c.signature })
      : undefined;
    for (const e of accepted) {
      seenIds.add(e.eventId);
      const eventJson = e.jsonHead.slice(0, -1) + recordMember;
      const text = leaf!(e.eventId, e.eventHash, sha256Tagged(eventJson), e.captureIndex);
      for (const h of ctx.frontier.append(leafHashOfText(text))) hashes.push(h);
      const row: EventRow = {
        leafIndex: size,
        eventId: e.eventId,
        eventHash: e.eventHash,
        eventType: e.eventType,
        action: e.action,
        eventTime: e.eventTime,
        recordTime,
        bizStep: e.bizStep,
        disposition: e.disposition,
        readPoint: e.readPoint,
        bizLocation: e.bizLocation,
        captureId: c.id,
        captureIndex: e.captureIndex,
        orgId: c.orgId,
        eventJson,
      };
      rows.push(row);
      events.push(row);
      for (const x of e.epcs) {
        epcs.epc.push(x.epc);
        epcs.role.push(x.role);
        epcs.leafIndex.push(size);
      }
      size++;
    }
    const capture: CaptureRow = { ...c, success: errors.length === 0, errors, eventCount: rows.length, firstLeaf, finishedAt: ctx.now };
    plan.captures.push(capture);
    plan.results.push({ kind: 'done', capture, events: rows, duplicates: dupSet ? [...dupSet] : [] });
  }
  return { ...plan, size };
}
