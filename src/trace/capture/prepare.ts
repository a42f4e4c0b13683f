import { AppError } from '../../core/errors.ts';
import { eventHashId, type ValidationIssue, validateEpcisDocument, validateEpcisEvent } from '../epcis/index.ts';
import { withContextPrefixes } from '../epcis/jsonld-prefixes.ts';
import { isLeafValue } from '../ledger/leaf.ts';
import type { CaptureProblem, PreparedEvent } from '../ledger/rows.ts';
import { indexEvent } from './event-index.ts';

/** Most events in one capture (announced as GS1-EPCIS-Capture-Limit). */
export const CAPTURE_EVENT_LIMIT = 10_000;

/** Validated, prepared events of one request, plus the per-event problems kept under `proceed`. */
export interface PreparedCapture {
  readonly events: PreparedEvent[];
  readonly problems: CaptureProblem[];
  /** The body as text, when it was decoded on the calling thread (saves decoding it twice). */
  readonly text?: string;
}

type Obj = Record<string, unknown>;

/** True when a JSON-LD context is only the standard EPCIS 2.0 context (nothing to carry per event). */
function standardContext(ctx: unknown): boolean {
  const list = Array.isArray(ctx) ? ctx : [ctx];
  return list.every((c) => c === undefined || (typeof c === 'string' && c.endsWith('/epcis-context.jsonld')));
}

function invalid(errors: readonly ValidationIssue[], what: string): AppError {
  const first = errors[0];
  const msg = first ? `${what}: ${first.path || '/'} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : what;
  return new AppError('EPCIS_VALIDATION', msg, { errors });
}

/** Index of the event a validation issue's JSON Pointer is inside, or -1 for document-level issues. */
function eventIndexOf(path: string): number {
  const m = /^\/epcisBody\/(?:queryResults\/resultsBody\/)?eventList\/(\d+)(?:\/|$)/.exec(path);
  return m ? Number(m[1]) : -1;
}

/**
 * Validates a capture body with the EPCIS 2.0 library and prepares its events for the log:
 * `eventID` defaults to the CBV 2.0 §8.9 Event Hash ID (EPCIS REST binding: the server populates
 * missing IDs), a non-standard document `@context` is copied into each event so stored events stay
 * self-describing, and the indexed fields are extracted. Under `rollback` any problem is a 400;
 * under `proceed` invalid events are dropped and reported, document-level problems still fail.
 */
export function prepareCapture(doc: unknown, kind: 'document' | 'event', behaviour: 'rollback' | 'proceed'): PreparedCapture {
  let context: unknown;
  let list: unknown[];
  let base: string;
  const problems: CaptureProblem[] = [];
  const bad = new Set<number>();
  if (kind === 'event') {
    const r = validateEpcisEvent(doc);
    if (!r.ok) throw invalid(r.errors, 'the event is not valid EPCIS 2.0');
    list = [doc];
    base = '';
  } else {
    const r = validateEpcisDocument(doc, { maxEvents: CAPTURE_EVENT_LIMIT });
    if (r.ok && r.kind === 'event') throw new AppError('EPCIS_VALIDATION', 'POST /epcis/capture takes an EPCISDocument or EPCISQueryDocument; post single events to /epcis/events');
    if (!r.ok) {
      const docLevel = r.errors.filter((e) => eventIndexOf(e.path) < 0);
      if (behaviour === 'rollback' || docLevel.length > 0) throw invalid(r.errors, 'the EPCIS document is not valid');
      for (const e of r.errors) {
        const i = eventIndexOf(e.path);
        bad.add(i);
        problems.push({ type: 'epcisException:ValidationException', title: 'Invalid event', status: 400, detail: `${e.path} ${e.message}`, instance: `/epcisBody/eventList/${i}` });
      }
    }
    const d = doc as Obj;
    context = d['@context'];
    const body = d.epcisBody as Obj;
    list = (d.type === 'EPCISQueryDocument' ? ((body.queryResults as Obj).resultsBody as Obj).eventList : body.eventList) as unknown[];
    base = '/epcisBody/eventList/';
  }
  const carry = !standardContext(context);
  const docPrefixes = withContextPrefixes(context);
  const events: PreparedEvent[] = [];
  for (let i = 0; i < list.length; i++) {
    if (bad.has(i)) continue;
    const ev = list[i] as Obj;
    const hash = eventHashId(ev, { context });
    const eventId = typeof ev.eventID === 'string' ? ev.eventID : hash;
    if (!isLeafValue(eventId)) {
      const p: CaptureProblem = { type: 'epcisException:ValidationException', title: 'Invalid eventID', status: 400, detail: 'eventID must be a URI of at most 1024 characters without spaces', instance: `${base}${i}` };
      if (behaviour === 'rollback') throw new AppError('EPCIS_VALIDATION', p.detail, { errors: [{ path: `${base}${i}/eventID`, message: p.detail }] });
      problems.push(p);
      continue;
    }
    const json: Obj = {};
    if (carry) json['@context'] = ev['@context'] === undefined ? context : [...(Array.isArray(context) ? context : [context]), ev['@context']];
    for (const k of Object.keys(ev)) {
      if ((k === '@context' && carry) || k === 'recordTime') continue; // recordTime: set on append
      json[k] = ev[k];
      if (k === 'type' && ev.eventID === undefined) json.eventID = eventId;
    }
    if (json.eventID === undefined) json.eventID = eventId;
    const f = indexEvent(ev, withContextPrefixes(ev['@context'], docPrefixes));
    events.push({
      eventId,
      eventHash: hash,
      eventType: f.eventType,
      action: f.action,
      eventTime: f.eventTime,
      bizStep: f.bizStep,
      disposition: f.disposition,
      readPoint: f.readPoint,
      bizLocation: f.bizLocation,
      captureIndex: i,
      epcs: f.epcs,
      jsonHead: JSON.stringify(json),
    });
  }
  return { events, problems };
}
