import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import { isDateTimeStamp } from '../epcis/date-time.ts';
import { EPCIS_DEFAULT_PREFIXES } from '../epcis/jsonld-prefixes.ts';
import { canonicalCbv, canonicalLocation, EPC_ROLE, epochMs } from '../capture/event-index.ts';
import { canonicalId } from '../ids.ts';

/** One MATCH_* filter: the EPC roles it looks at and the canonical values/prefixes to match. */
export interface EpcMatch {
  readonly roles: readonly number[];
  readonly exact: readonly string[];
  /** Canonical prefixes from `urn:epc:idpat:` patterns (match the value itself or anything below it). */
  readonly prefixes: readonly string[];
}

/** A parsed EPCIS 2.0 SimpleEventQuery (the URI query-string form of the REST binding). */
export interface EventQuery {
  readonly eventTypes?: readonly string[];
  readonly eventTime: { ge?: number; lt?: number };
  readonly recordTime: { ge?: number; lt?: number };
  readonly actions?: readonly string[];
  readonly bizSteps?: readonly string[];
  readonly dispositions?: readonly string[];
  readonly readPoints?: readonly string[];
  readonly bizLocations?: readonly string[];
  readonly eventIds?: readonly string[];
  readonly matches: readonly EpcMatch[];
  readonly orderBy: 'eventTime' | 'recordTime';
  readonly desc: boolean;
  readonly perPage: number;
  /** Keyset position after which this page starts. */
  readonly after?: { key: number; leaf: number };
  /** Hash of the filter parameters: a page token is only valid for the same query. */
  readonly fingerprint: string;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;
const MAX_VALUES = 50;

const MATCH_ROLES: Record<string, readonly number[]> = {
  MATCH_epc: [EPC_ROLE.epcList, EPC_ROLE.childEPCs],
  MATCH_parentID: [EPC_ROLE.parentID],
  MATCH_inputEPC: [EPC_ROLE.inputEPCList],
  MATCH_outputEPC: [EPC_ROLE.outputEPCList],
  MATCH_anyEPC: [EPC_ROLE.epcList, EPC_ROLE.childEPCs, EPC_ROLE.parentID, EPC_ROLE.inputEPCList, EPC_ROLE.outputEPCList],
  MATCH_epcClass: [EPC_ROLE.quantityList, EPC_ROLE.childQuantityList],
  MATCH_inputEPCClass: [EPC_ROLE.inputQuantityList],
  MATCH_outputEPCClass: [EPC_ROLE.outputQuantityList],
  MATCH_anyEPCClass: [EPC_ROLE.quantityList, EPC_ROLE.childQuantityList, EPC_ROLE.inputQuantityList, EPC_ROLE.outputQuantityList],
};

const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
const SIMPLE = ['eventType', 'GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime', 'EQ_action', 'EQ_bizStep', 'EQ_disposition', 'EQ_readPoint', 'EQ_bizLocation', 'EQ_eventID', 'orderBy', 'orderDirection', 'perPage', 'nextPageToken'];

function bad(msg: string): AppError {
  return new AppError('EPCIS_QUERY_PARAMETER', msg);
}

/** A pipe-separated list parameter (REST binding: style pipeDelimited), bounded. */
function list(name: string, v: string): string[] {
  const items = v.split('|').map((s) => s.trim());
  if (items.some((s) => s === '' || s.length > 1024)) throw bad(`${name}: empty or over-long value`);
  if (items.length > MAX_VALUES) throw bad(`${name}: at most ${MAX_VALUES} values`);
  return items;
}

function time(name: string, v: string): number {
  if (!isDateTimeStamp(v)) throw bad(`${name} must be an xsd:dateTimeStamp with a zone, e.g. 2025-04-10T07:30:00+07:00`);
  return epochMs(v);
}

/** Canonical match values: exact IDs, or prefixes for EPC patterns (EPCIS 2.0 §8.2.7.1.1). */
function matchValues(name: string, v: string): { exact: string[]; prefixes: string[] } {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const s of list(name, v)) {
    const c = canonicalId(s);
    if (s.startsWith('urn:epc:idpat:')) {
      if (c === s) throw bad(`${name}: ${s} is not a supported EPC pattern`);
      prefixes.push(c);
    } else exact.push(c);
  }
  return { exact, prefixes };
}

/** The match of `/epcs/{epc}/events`: the EPC (or pattern, or class) in any EPC or quantity field. */
export function epcMatch(epc: string): EpcMatch {
  return { roles: Object.values(EPC_ROLE), ...matchValues('epc', epc) };
}

/** Parses and checks the query string; every unknown parameter is an error (SimpleEventQuery). */
export function parseEventQuery(q: Record<string, string | string[] | undefined>): EventQuery {
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) throw bad(`${k} is given more than once; separate values with |`);
    if (!SIMPLE.includes(k) && !(k in MATCH_ROLES)) throw bad(`unknown or unsupported query parameter ${k}`);
    params.set(k, v);
  }
  const get = (k: string) => params.get(k);
  const eventTypes = get('eventType') && list('eventType', get('eventType')!);
  if (eventTypes) for (const t of eventTypes) if (!EVENT_TYPES.includes(t)) throw bad(`eventType ${t} is not one of ${EVENT_TYPES.join(', ')}`);
  const actions = get('EQ_action') && list('EQ_action', get('EQ_action')!);
  if (actions) for (const a of actions) if (!['ADD', 'OBSERVE', 'DELETE'].includes(a)) throw bad(`EQ_action ${a} must be ADD, OBSERVE or DELETE`);
  const cbv = (name: string, voc: 'bizStep' | 'disposition') =>
    get(name) &&
    list(name, get(name)!).map((s) => {
      const c = canonicalCbv(voc, s, EPCIS_DEFAULT_PREFIXES);
      if (c === null) throw bad(`${name}: ${s} is not a CBV ${voc} nor a URI`);
      return c;
    });
  const loc = (name: string) => get(name) && list(name, get(name)!).map((s) => canonicalLocation(s, EPCIS_DEFAULT_PREFIXES));
  const matches: EpcMatch[] = [];
  for (const [k, roles] of Object.entries(MATCH_ROLES)) if (get(k)) matches.push({ roles, ...matchValues(k, get(k)!) });
  const orderBy = get('orderBy') ?? 'recordTime';
  if (orderBy !== 'eventTime' && orderBy !== 'recordTime') throw bad('orderBy must be eventTime or recordTime');
  const dir = get('orderDirection') ?? 'DESC';
  if (dir !== 'ASC' && dir !== 'DESC') throw bad('orderDirection must be ASC or DESC');
  const pp = get('perPage') ?? String(DEFAULT_PER_PAGE);
  if (!/^\d{1,4}$/.test(pp) || Number(pp) < 1 || Number(pp) > MAX_PER_PAGE) throw bad(`perPage must be 1-${MAX_PER_PAGE}`);
  const filterKeys = [...params.keys()].filter((k) => k !== 'nextPageToken' && k !== 'perPage').sort();
  const fingerprint = createHash('sha256').update(JSON.stringify(filterKeys.map((k) => [k, params.get(k)]))).digest('base64url').slice(0, 16);
  const query: EventQuery = {
    eventTypes: eventTypes || undefined,
    eventTime: { ge: get('GE_eventTime') ? time('GE_eventTime', get('GE_eventTime')!) : undefined, lt: get('LT_eventTime') ? time('LT_eventTime', get('LT_eventTime')!) : undefined },
    recordTime: { ge: get('GE_recordTime') ? time('GE_recordTime', get('GE_recordTime')!) : undefined, lt: get('LT_recordTime') ? time('LT_recordTime', get('LT_recordTime')!) : undefined },
    actions: actions || undefined,
    bizSteps: cbv('EQ_bizStep', 'bizStep') || undefined,
    dispositions: cbv('EQ_disposition', 'disposition') || undefined,
    readPoints: loc('EQ_readPoint') || undefined,
    bizLocations: loc('EQ_bizLocation') || undefined,
    eventIds: (get('EQ_eventID') && list('EQ_eventID', get('EQ_eventID')!)) || undefined,
    matches,
    orderBy,
    desc: dir === 'DESC',
    perPage: Number(pp),
    fingerprint,
  };
  const token = get('nextPageToken');
  return token ? { ...query, after: readToken(token, fingerprint) } : query;
}

/** Opaque page token: the keyset position plus the query fingerprint. */
export function pageToken(key: number, leaf: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify([1, key, leaf, fingerprint])).toString('base64url');
}

function readToken(token: string, fingerprint: string): { key: number; leaf: number } {
  try {
    if (token.length > 200) throw new Error('long');
    const [v, key, leaf, fp] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [number, number, number, string];
    if (v !== 1 || !Number.isSafeInteger(key) || !Number.isSafeInteger(leaf)) throw new Error('shape');
    if (fp !== fingerprint) throw bad('nextPageToken belongs to a different query');
    return { key, leaf };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw bad('nextPageToken is not valid');
  }
}
