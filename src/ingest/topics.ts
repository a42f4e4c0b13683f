import { AppError } from '../core/errors.ts';
import { parseResourcePath, type ResourcePath } from '../sensing/http/path-parser.ts';
import { parseQueryOptions } from '../sensing/http/query-options.ts';
import { selectProblem } from '../sensing/read/serialize.ts';

/** The API version segment every SensorThings topic starts with (OGC 18-088 §14). */
export const VERSION = 'v1.1/';

/** A topic that creates Observations when published to (§14.2.1 create-observations-via-mqtt). */
export type CreateTopic =
  | { kind: 'observations' }
  | { kind: 'datastream'; id: number }
  | { kind: 'multidatastream'; id: number }
  | { kind: 'foi'; id: number }
  /** The simple telemetry topic `cantho/v1/devices/{deviceId}/telemetry` (docs/api/mqtt.md). */
  | { kind: 'telemetry'; deviceId: string };

const CREATE_RE = /^v1\.1\/(?:(Datastreams|MultiDatastreams|FeaturesOfInterest)\((\d{1,15})\)\/)?Observations$/;
const TELEMETRY_RE = /^cantho\/v1\/devices\/([A-Za-z0-9._:-]{1,64})\/telemetry$/;

/**
 * Create topics seen lately: devices publish to the same few topics over and over. Only topics
 * that match are kept (at most ~100 characters each, by the patterns), so a client sending many
 * long junk topics cannot make the map large.
 */
const seen = new Map<string, Readonly<CreateTopic>>();

/** Classifies a publish topic (prefix already removed); null when it creates nothing. */
export function parseCreateTopic(topic: string): Readonly<CreateTopic> | null {
  const hit = seen.get(topic);
  if (hit) return hit;
  const t = classify(topic);
  if (t) {
    if (seen.size >= 4096) seen.clear();
    seen.set(topic, Object.freeze(t));
  }
  return t;
}

function classify(topic: string): CreateTopic | null {
  const m = CREATE_RE.exec(topic);
  if (m) {
    if (!m[1]) return { kind: 'observations' };
    const id = Number(m[2]);
    return m[1] === 'Datastreams' ? { kind: 'datastream', id } : m[1] === 'MultiDatastreams' ? { kind: 'multidatastream', id } : { kind: 'foi', id };
  }
  const t = TELEMETRY_RE.exec(topic);
  return t ? { kind: 'telemetry', deviceId: t[1]! } : null;
}

/** The resource path a SensorThings create topic posts to (the same rules as HTTP POST apply). */
export function createPathOf(t: Exclude<CreateTopic, { kind: 'telemetry' }>): string {
  switch (t.kind) {
    case 'observations':
      return 'Observations';
    case 'datastream':
      return `Datastreams(${t.id})/Observations`;
    case 'multidatastream':
      return `MultiDatastreams(${t.id})/Observations`;
    case 'foi':
      return `FeaturesOfInterest(${t.id})/Observations`;
  }
}

/**
 * A subscription topic (§14.2.2 receive-updates-via-mqtt): a resource path to an entity set, an
 * entity, a property, or a navigation collection, optionally with `?$select=`.
 */
export interface SubTopic {
  /** Resource path after `v1.1/`, e.g. `Datastreams(1)/Observations`. */
  readonly pathText: string;
  readonly path: ResourcePath;
  /** Type name of the entities whose changes this topic carries. */
  readonly entity: string;
  readonly mode: 'collection' | 'entity' | 'property';
  readonly select?: readonly string[];
  /** Matching without a query: every member of a set, one id, or Observations of one parent. */
  readonly fast?: { kind: 'set' } | { kind: 'id'; id: number } | { kind: 'child'; key: 'ds' | 'mds' | 'foi'; id: number };
}

const CHILD_KEYS: Record<string, 'ds' | 'mds' | 'foi'> = { Datastreams: 'ds', MultiDatastreams: 'mds', FeaturesOfInterest: 'foi' };

/** Parses a subscription topic (prefix removed); throws AppError when it is not one. */
export function parseSubTopic(topic: string): SubTopic {
  if (!topic.startsWith(VERSION)) throw new AppError('INVALID_PATH', `Topics start with ${VERSION}`);
  if (/[#+]/.test(topic)) throw new AppError('INVALID_PATH', 'Wildcards are not supported: subscribe to a resource path');
  const rest = topic.slice(VERSION.length);
  const q = rest.indexOf('?');
  const pathText = q < 0 ? rest : rest.slice(0, q);
  const path = parseResourcePath(pathText);
  if (path.ref || path.value) throw new AppError('INVALID_PATH', '$ref and $value topics are not supported');
  let select: string[] | undefined;
  if (q >= 0) {
    const params = new URLSearchParams(rest.slice(q + 1));
    for (const k of params.keys()) if (k !== '$select') throw new AppError('INVALID_QUERY_OPTION', `Only $select is allowed in a topic, not ${k}`);
    if (path.property) throw new AppError('INVALID_QUERY_OPTION', '$select does not apply to a property topic');
    select = parseQueryOptions(params).select;
    const problem = selectProblem(path.entity, select);
    if (problem) throw new AppError('INVALID_SELECT', problem);
  }
  const mode = path.property ? 'property' : path.single ? 'entity' : 'collection';
  const segs = path.segments;
  let fast: SubTopic['fast'];
  if (segs.length === 1 && mode === 'collection') fast = { kind: 'set' };
  else if (segs.length === 1 && segs[0]!.id !== undefined) fast = { kind: 'id', id: segs[0]!.id };
  else if (mode === 'collection' && segs.length === 2 && path.entity.name === 'Observation' && segs[0]!.id !== undefined && CHILD_KEYS[segs[0]!.entity.set]) {
    fast = { kind: 'child', key: CHILD_KEYS[segs[0]!.entity.set]!, id: segs[0]!.id };
  }
  return { pathText, path, entity: path.entity.name, mode, select, fast };
}
