import { eventRuleIssues } from './event-rules.ts';
import { checkJsonBounds, DEFAULT_JSON_BOUNDS, type JsonBounds } from './json-bounds.ts';
import { type PrefixMap, withContextPrefixes } from './jsonld-prefixes.ts';
import { DOCUMENT_VALIDATOR, EVENT_VALIDATORS, QUERY_DOCUMENT_VALIDATOR, schemaIssues } from './schema-validators.ts';
import type { EpcisEvent, EpcisEventType, EpcisValidationResult, ValidationIssue } from './types.ts';

/**
 * Validation of EPCIS 2.0 JSON/JSON-LD input received from outside (capture API, partner files):
 * bounded size first, then the project's JSON Schemas (structure, EPCIS 2.0 §7.3/§7.4 and the JSON
 * binding), then the rules of event-rules.ts (CBV 2.0 vocabularies, per-type rules). Never throws:
 * any failure, including unexpected input shapes, comes back as `{ ok: false, errors }`.
 */

/** Options of the validators. */
export interface EpcisValidationOptions {
  /**
   * Whether `@context` must be present. EPCIS 2.0 JSON is JSON-LD and its documents carry the EPCIS
   * context, so `validateEpcisDocument` defaults to 'required'. 'optional' accepts plain JSON and
   * reads it as if the standard EPCIS 2.0 context were given. `validateEpcisEvent` defaults to
   * 'optional' because events are routinely handled apart from their document.
   */
  context?: 'required' | 'optional';
  /** For `validateEpcisEvent`: the `@context` of the document the event came from. */
  documentContext?: unknown;
  /** Size limits (see json-bounds.ts); unspecified fields keep their defaults. */
  bounds?: Partial<JsonBounds>;
  /** Most events accepted in one document (default 10 000). */
  maxEvents?: number;
  /** Most issues reported (default 100); the rest is summarised in one final issue. */
  maxErrors?: number;
}

const DEFAULT_MAX_EVENTS = 10_000;
const DEFAULT_MAX_ERRORS = 100;

const EVENT_TYPES = Object.keys(EVENT_VALIDATORS) as EpcisEventType[];

/**
 * Validates an EPCISDocument, an EPCISQueryDocument or a single top-level event. On success returns
 * the events in document order (the input objects themselves, not copies).
 */
export function validateEpcisDocument(doc: unknown, options: EpcisValidationOptions = {}): EpcisValidationResult {
  return guarded(options, () => {
    const bounded = checkJsonBounds(doc, { ...DEFAULT_JSON_BOUNDS, ...options.bounds });
    if (bounded.length > 0) return { issues: bounded, events: [], kind: 'event' as const };
    if (!isObj(doc)) return { issues: [{ path: '', message: 'an EPCIS document must be a JSON object' }], events: [], kind: 'event' as const };

    const issues: ValidationIssue[] = [];
    const policy = options.context ?? 'required';
    if (policy === 'required' && doc['@context'] === undefined) {
      issues.push({ path: '/@context', message: "required property '@context' is missing (EPCIS 2.0 JSON-LD documents carry the EPCIS context)" });
    }
    const prefixes = withContextPrefixes(doc['@context']);
    const type = doc.type;

    if (type === 'EPCISDocument' || type === 'EPCISQueryDocument') {
      const isQuery = type === 'EPCISQueryDocument';
      issues.push(...schemaIssues(isQuery ? QUERY_DOCUMENT_VALIDATOR : DOCUMENT_VALIDATOR, doc, ''));
      const body = isObj(doc.epcisBody) ? doc.epcisBody : undefined;
      const holder = isQuery
        ? isObj(body?.queryResults) && isObj(body.queryResults.resultsBody)
          ? body.queryResults.resultsBody
          : undefined
        : body;
      const list = holder?.eventList;
      const base = isQuery ? '/epcisBody/queryResults/resultsBody/eventList' : '/epcisBody/eventList';
      const events: unknown[] = Array.isArray(list) ? list : [];
      const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
      if (events.length > maxEvents) {
        issues.push({ path: base, message: `more than ${maxEvents} events in one document` });
        return { issues, events: [], kind: type };
      }
      for (let i = 0; i < events.length; i++) issues.push(...eventIssues(events[i], `${base}/${i}`, prefixes));
      return { issues, events: events as EpcisEvent[], kind: type };
    }

    if (typeof type === 'string' && (EVENT_TYPES as string[]).includes(type)) {
      issues.push(...eventIssues(doc, '', prefixes));
      return { issues, events: [doc as unknown as EpcisEvent], kind: 'event' as const };
    }

    issues.push(
      type === undefined
        ? { path: '/type', message: "required property 'type' is missing" }
        : { path: '/type', message: `must be EPCISDocument, EPCISQueryDocument or an EPCIS event type (${EVENT_TYPES.join(', ')}); got ${describe(type)}` },
    );
    return { issues, events: [], kind: 'event' as const };
  });
}

/**
 * Validates one event on its own (e.g. taken out of a document, or posted singly). Accepts plain
 * JSON without `@context` unless `options.context` is 'required'; pass the enclosing document's
 * context as `options.documentContext` so its CURIE prefixes are known.
 */
export function validateEpcisEvent(ev: unknown, options: EpcisValidationOptions = {}): EpcisValidationResult {
  return guarded(options, () => {
    const bounded = checkJsonBounds(ev, { ...DEFAULT_JSON_BOUNDS, ...options.bounds });
    if (bounded.length > 0) return { issues: bounded, events: [], kind: 'event' as const };
    const issues: ValidationIssue[] = [];
    if (options.context === 'required' && isObj(ev) && ev['@context'] === undefined && options.documentContext === undefined) {
      issues.push({ path: '/@context', message: "required property '@context' is missing" });
    }
    issues.push(...eventIssues(ev, '', withContextPrefixes(options.documentContext)));
    return { issues, events: [ev as EpcisEvent], kind: 'event' as const };
  });
}

/** Schema and rule issues of one event at JSON Pointer `path`. */
function eventIssues(ev: unknown, path: string, documentPrefixes: PrefixMap): ValidationIssue[] {
  if (!isObj(ev)) return [{ path, message: 'an EPCIS event must be a JSON object' }];
  const type = ev.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as string[]).includes(type)) {
    return [
      type === undefined
        ? { path: `${path}/type`, message: "required property 'type' is missing" }
        : { path: `${path}/type`, message: `unsupported event type ${describe(type)}; EPCIS 2.0 defines ${EVENT_TYPES.join(', ')}` },
    ];
  }
  const prefixes = withContextPrefixes(ev['@context'], documentPrefixes);
  return [...schemaIssues(EVENT_VALIDATORS[type as EpcisEventType], ev, path), ...eventRuleIssues(ev, path, prefixes)];
}

interface Outcome {
  issues: ValidationIssue[];
  events: EpcisEvent[];
  kind: 'EPCISDocument' | 'EPCISQueryDocument' | 'event';
}

/** Runs a validation body, converting exceptions and capping the number of issues. */
function guarded(options: EpcisValidationOptions, body: () => Outcome): EpcisValidationResult {
  let outcome: Outcome;
  try {
    outcome = body();
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `input could not be validated: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (outcome.issues.length === 0) return { ok: true, kind: outcome.kind, events: outcome.events };
  const max = Math.max(1, options.maxErrors ?? DEFAULT_MAX_ERRORS);
  if (outcome.issues.length <= max) return { ok: false, errors: outcome.issues };
  const errors = outcome.issues.slice(0, max);
  errors.push({ path: '', message: `${outcome.issues.length - max} more issue(s) not shown` });
  return { ok: false, errors };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}
