/**
 * Runs the individual requests of a batch (OGC 18-088 §11, OData 4.0 Part 1 §11.7) through the
 * same SensingService the routes use, so every rule (validation, auth, visibility) is the same as
 * outside a batch, and answers each one as the route would: 200 + entity, 201 + Location + entity,
 * 200 for DELETE, or the error's status with `{code, message}`. Both formats (multipart, JSON)
 * share this.
 */
import type { FastifyBaseLogger } from 'fastify';
import { AppError, ERROR_CODES, isAppError } from '../../core/errors.ts';
import type { CallContext, SensingService } from '../sensing.service.ts';
import { inOneTransaction } from './atomic.ts';
import { clip } from './multipart.ts';

export type BatchMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export const BATCH_METHODS: readonly BatchMethod[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/** Most individual requests one batch may hold, counting those inside change sets. */
export const MAX_BATCH_REQUESTS = 1000;
/** Once the answers to GETs add up to this many characters, further GETs of the batch are refused. */
export const MAX_BATCH_READ_CHARS = 64 * 1024 * 1024;

/** One individual request of a batch. */
export interface BatchRequest {
  /** Content-ID (multipart) or `id` (JSON): the name `$id` references use. */
  readonly id?: string;
  readonly method: BatchMethod;
  /** As written: relative (`Things(1)`), absolute path, absolute URL, or starting with `$id`. */
  readonly url: string;
  /** Header names lower-cased. */
  readonly headers: ReadonlyMap<string, string>;
  /** The JSON body, already parsed (JSON batch). */
  readonly body?: unknown;
  /** The body as text still to parse (multipart batch). */
  readonly text?: string;
}

/** The answer to one individual request. */
export interface Outcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body, or a string for `text/plain` ($value). Absent: no body. */
  readonly body?: unknown;
}

/** Names of earlier requests → the resource path of the entity they created or returned. */
export type Refs = Map<string, string>;

/** How a change set ended: every answer, or the one failure that undid it. */
export type ChangesetResult = { ok: true; outcomes: Outcome[] } | { ok: false; failed: number; outcome: Outcome };

const JSON_TYPE = 'application/json; charset=utf-8';
class Rollback {}

/** Executes requests one by one, or a change set in one transaction. */
export class BatchExecutor {
  /** Characters of GET answers so far (the whole batch response is held in memory). */
  private readChars = 0;

  constructor(
    private readonly service: SensingService,
    private readonly ctx: CallContext,
    private readonly log: Pick<FastifyBaseLogger, 'error'>,
  ) {}

  /** Runs one request on its own, as if sent outside the batch. */
  async runOne(req: BatchRequest, refs: Refs): Promise<Outcome> {
    return this.attempt(this.service, req, refs);
  }

  /**
   * Runs a change set (OData 4.0 §11.7.3) in one transaction: the first failure rolls back every
   * request of it and is the change set's only answer. `$id` names defined inside become visible
   * in `refs` only when it commits.
   */
  async runChangeset(reqs: readonly BatchRequest[], refs: Refs): Promise<ChangesetResult> {
    const local: Refs = new Map(refs);
    const outcomes: Outcome[] = [];
    const state: { failed?: number; outcome?: Outcome } = {};
    try {
      const onListenerError = (err: unknown) => this.log.error({ err }, 'change listener failed after a batch change set');
      await inOneTransaction(this.service, async (scoped) => {
        for (let i = 0; i < reqs.length; i++) {
          const o = await this.attempt(scoped, reqs[i]!, local);
          if (o.status >= 400) {
            state.failed = i;
            state.outcome = o;
            throw new Rollback();
          }
          outcomes.push(o);
        }
      }, onListenerError);
    } catch (e) {
      if (!(e instanceof Rollback)) {
        state.failed = Math.min(outcomes.length, reqs.length - 1);
        state.outcome = this.errorOutcome(e);
      }
    }
    if (state.outcome) return { ok: false, failed: state.failed!, outcome: state.outcome };
    for (const [k, v] of local) refs.set(k, v);
    return { ok: true, outcomes };
  }

  private async attempt(svc: SensingService, req: BatchRequest, refs: Refs): Promise<Outcome> {
    try {
      const o = await this.perform(svc, req, refs);
      const ref = req.id === undefined ? undefined : refOf(o, this.ctx.root);
      if (ref) refs.set(req.id!, ref);
      return o;
    } catch (e) {
      return this.errorOutcome(e);
    }
  }

  private async perform(svc: SensingService, req: BatchRequest, refs: Refs): Promise<Outcome> {
    const ctx = this.ctx;
    const { path, query } = resolveTarget(req.url, ctx.root, refs);
    if (req.method === 'GET') {
      if (this.readChars > MAX_BATCH_READ_CHARS) {
        throw new AppError('QUERY_TOO_COSTLY', `The answers of this batch already exceed ${MAX_BATCH_READ_CHARS >> 20} MiB; split the batch or ask for less`);
      }
      const r = await svc.get(ctx, path, query);
      if (r.kind === 'text') {
        this.readChars += r.body.length;
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: r.body };
      }
      this.readChars += JSON.stringify(r.body).length;
      return { status: 200, headers: { 'content-type': JSON_TYPE }, body: r.body };
    }
    if (req.method === 'DELETE') {
      await svc.delete(ctx, path);
      return { status: 200, headers: {} };
    }
    const body = substituteRefs(bodyOf(req), refs, 0);
    if (req.method === 'POST') {
      if (path === 'CreateObservations') return { status: 201, headers: { 'content-type': JSON_TYPE }, body: await svc.createObservations(ctx, body) };
      const created = await svc.create(ctx, path, body);
      const self = `${created.set}(${created.id})`;
      const read = await svc.get(ctx, self, new URLSearchParams());
      return { status: 201, headers: { location: `${ctx.root}/${self}`, 'content-type': JSON_TYPE }, body: read.body };
    }
    const jsonPatch = (req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json-patch+json');
    await svc.update(ctx, path, body, req.method === 'PUT' ? 'put' : jsonPatch ? 'json-patch' : 'patch');
    const read = await svc.get(ctx, path, new URLSearchParams());
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: read.body };
  }

  /** An error as the app's error handler would answer it; unexpected ones are logged, never shown. */
  errorOutcome(e: unknown): Outcome {
    if (isAppError(e)) {
      if (e.status >= 500) this.log.error({ err: e }, 'batch request failed');
      return errorBody(e.status, e.code, e.message, e.details);
    }
    if (e instanceof SyntaxError) return errorBody(400, 'INVALID_JSON', `The body is not valid JSON: ${e.message}`);
    this.log.error({ err: e }, 'unexpected error in a batch request');
    return errorBody(500, 'INTERNAL', ERROR_CODES.INTERNAL.message);
  }
}

/** A JSON error answer in the app's `{code, message}` shape. */
export function errorBody(status: number, code: string, message: string, details?: unknown): Outcome {
  return { status, headers: { 'content-type': JSON_TYPE }, body: { code, message, ...(details ? { details } : {}) } };
}

function bodyOf(req: BatchRequest): unknown {
  if (req.text === undefined) return req.body;
  return req.text.trim() === '' ? undefined : JSON.parse(req.text);
}

/**
 * The resource path and query of a request URL (OData 4.0 §11.7.2: relative to the batch URL, an
 * absolute path, or an absolute URL; §11.7.3.1: `$id` first segment = the entity of request `id`).
 */
export function resolveTarget(url: string, root: string, refs: Refs): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (path.startsWith('$')) {
    const slash = path.indexOf('/');
    const name = path.slice(1, slash < 0 ? undefined : slash);
    const ref = refs.get(name);
    if (!ref) throw new AppError('INVALID_BATCH', `"$${clip(name, 40)}" does not name an earlier request that created or returned an entity`);
    path = ref + (slash < 0 ? '' : path.slice(slash));
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    let u: URL;
    try {
      u = new URL(path);
    } catch {
      throw new AppError('INVALID_PATH', `"${clip(path)}" is not a valid URL`);
    }
    path = underRoot(u.pathname, root);
  } else if (path.startsWith('/')) path = underRoot(path, root);
  if (path.length > 2000) throw new AppError('INVALID_PATH', 'The resource path is too long');
  return { path, query };
}

function underRoot(absPath: string, root: string): string {
  let rootPath = '/v1.1';
  try {
    rootPath = new URL(root).pathname.replace(/\/$/, '');
  } catch {
    /* keep the default */
  }
  if (absPath.startsWith(`${rootPath}/`)) return absPath.slice(rootPath.length + 1);
  if (absPath.startsWith('/v1.1/')) return absPath.slice('/v1.1/'.length);
  throw new AppError('INVALID_PATH', `"${clip(absPath)}" is not under the service root ${rootPath}`);
}

/**
 * OGC 18-088 §11.2.2: `{"@iot.id": "$sensor1"}` in a body links the entity request `sensor1` made.
 * Replaced in place (the body belongs to this request alone), so no key is ever re-assigned.
 */
function substituteRefs(v: unknown, refs: Refs, depth: number): unknown {
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (const x of v) substituteRefs(x, refs, depth + 1);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (k === '@iot.id' && typeof x === 'string' && x.startsWith('$')) {
      const ref = refs.get(x.slice(1));
      const m = ref ? /\((\d+)\)$/.exec(ref) : null;
      if (!m) throw new AppError('INVALID_BATCH', `"${clip(x, 40)}" does not name an earlier request that created an entity`);
      o[k] = Number(m[1]);
    } else substituteRefs(x, refs, depth + 1);
  }
  return v;
}

/** The entity a successful answer is about: its Location, else its selfLink. */
function refOf(o: Outcome, root: string): string | undefined {
  if (o.status >= 300) return undefined;
  const link = o.headers.location ?? (o.body && typeof o.body === 'object' ? (o.body as Record<string, unknown>)['@iot.selfLink'] : undefined);
  if (typeof link !== 'string' || !link.startsWith(`${root}/`)) return undefined;
  return link.slice(root.length + 1);
}
