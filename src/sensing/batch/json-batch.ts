/**
 * The JSON batch format (OData JSON Format 4.01 §19, OData 4.01 Part 1 §11.7; SensorThings servers
 * offer it beside the multipart format of OGC 18-088 §11): `{"requests": [...]}` answered by
 * `{"responses": [...]}`. Requests sharing an `atomicityGroup` are one change set: adjacent, all or
 * nothing. `dependsOn` names earlier requests or groups; a request whose dependency failed is not
 * run and is answered 424 Failed Dependency.
 */
import { AppError } from '../../core/errors.ts';
import { BATCH_METHODS, type BatchExecutor, type BatchMethod, type BatchRequest, errorBody, MAX_BATCH_REQUESTS, type Outcome, type Refs } from './executor.ts';
import { clip } from './multipart.ts';

/** One request of a JSON batch. */
export interface JsonRequest extends BatchRequest {
  readonly id: string;
  readonly group?: string;
  readonly dependsOn: readonly string[];
}

/** A lone request, or the adjacent requests of one atomicity group. */
export type JsonUnit = { kind: 'request'; req: JsonRequest } | { kind: 'group'; name: string; reqs: JsonRequest[] };

/** One entry of `responses` (OData JSON 4.01 §19.5). */
export interface JsonResponse {
  id: string;
  atomicityGroup?: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function invalid(message: string): AppError {
  return new AppError('INVALID_BATCH', message);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates the whole batch before anything runs; any mistake is a 400 naming it. */
export function parseJsonBatch(body: unknown): JsonUnit[] {
  if (!isObj(body) || !Array.isArray(body.requests)) throw invalid('A JSON batch is an object {"requests": [...]}');
  const list = body.requests as unknown[];
  if (list.length > MAX_BATCH_REQUESTS) throw invalid(`A batch may hold at most ${MAX_BATCH_REQUESTS} requests`);
  const ids = new Set<string>();
  const groups = new Set<string>();
  const units: JsonUnit[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i];
    const at = `requests[${i}]`;
    if (!isObj(r)) throw invalid(`${at} must be an object`);
    const id = r.id;
    if (typeof id !== 'string' || id === '' || id.length > 200) throw invalid(`${at}.id must be a non-empty string`);
    if (ids.has(id) || groups.has(id)) throw invalid(`${at}.id "${clip(id, 40)}" is already used by another request or atomicity group`);
    const method = typeof r.method === 'string' ? (r.method.toUpperCase() as BatchMethod) : undefined;
    if (!method || !BATCH_METHODS.includes(method)) throw invalid(`${at}.method must be one of get, post, patch, put, delete`);
    if (typeof r.url !== 'string' || r.url === '') throw invalid(`${at}.url must be a non-empty string`);
    const headers = new Map<string, string>();
    if (r.headers !== undefined) {
      if (!isObj(r.headers)) throw invalid(`${at}.headers must be an object of strings`);
      for (const [k, v] of Object.entries(r.headers)) {
        if (typeof v !== 'string') throw invalid(`${at}.headers.${clip(k, 40)} must be a string`);
        headers.set(k.toLowerCase(), v);
      }
    }
    const group = r.atomicityGroup;
    if (group !== undefined && (typeof group !== 'string' || group === '')) throw invalid(`${at}.atomicityGroup must be a non-empty string`);
    if (group !== undefined && ids.has(group)) throw invalid(`${at}.atomicityGroup "${clip(group, 40)}" is also a request id`);
    if (group !== undefined && method === 'GET') throw invalid(`${at}: an atomicity group cannot hold a GET request`);
    const dependsOn = r.dependsOn ?? [];
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) throw invalid(`${at}.dependsOn must be an array of strings`);
    for (const d of dependsOn as string[]) {
      if (d === group || (!ids.has(d) && !groups.has(d))) throw invalid(`${at}.dependsOn names "${clip(d, 40)}", which is not an earlier request or atomicity group`);
    }
    const req: JsonRequest = { id, method, url: r.url, headers, body: r.body, group, dependsOn: dependsOn as string[] };
    ids.add(id);
    const last = units[units.length - 1];
    if (group === undefined) units.push({ kind: 'request', req });
    else if (last?.kind === 'group' && last.name === group) last.reqs.push(req);
    else if (groups.has(group)) throw invalid(`${at}: the requests of atomicity group "${clip(group, 40)}" must be adjacent`);
    else {
      groups.add(group);
      units.push({ kind: 'group', name: group, reqs: [req] });
    }
  }
  return units;
}

/**
 * Runs the units in order. `$id` references may name any earlier request that succeeded (in a
 * group, once the group committed). When a group fails, its failing request gets its own error
 * and every other request of the group 424, since none of their changes were kept.
 */
export async function runJsonBatch(units: readonly JsonUnit[], exec: BatchExecutor): Promise<{ responses: JsonResponse[] }> {
  const refs: Refs = new Map();
  const failed = new Set<string>();
  const responses: JsonResponse[] = [];
  const push = (req: JsonRequest, o: Outcome) => {
    if (o.status >= 400) failed.add(req.id);
    responses.push(toResponse(req, o));
  };
  for (const u of units) {
    const reqs = u.kind === 'request' ? [u.req] : u.reqs;
    const blocked = reqs.flatMap((r) => r.dependsOn).find((d) => failed.has(d));
    if (blocked !== undefined) {
      if (u.kind === 'group') failed.add(u.name);
      for (const r of reqs) push(r, errorBody(424, 'FAILED_DEPENDENCY', `Not run: "${blocked}", which this depends on, failed`));
      continue;
    }
    if (u.kind === 'request') {
      push(u.req, await exec.runOne(u.req, refs));
      continue;
    }
    const r = await exec.runChangeset(u.reqs, refs);
    if (r.ok) {
      for (let i = 0; i < u.reqs.length; i++) push(u.reqs[i]!, r.outcomes[i]!);
      continue;
    }
    failed.add(u.name);
    const culprit = u.reqs[r.failed]!.id;
    for (const req of u.reqs) {
      push(req, req.id === culprit ? r.outcome : errorBody(424, 'FAILED_DEPENDENCY', `Rolled back: request "${culprit}" of atomicity group "${u.name}" failed`));
    }
  }
  return { responses };
}

function toResponse(req: JsonRequest, o: Outcome): JsonResponse {
  const res: JsonResponse = { id: req.id, status: o.status };
  if (req.group !== undefined) res.atomicityGroup = req.group;
  if (Object.keys(o.headers).length) res.headers = { ...o.headers };
  if (o.body !== undefined) res.body = o.body;
  return res;
}
