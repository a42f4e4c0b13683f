import { sql } from 'kysely';
import type { Principal } from '../../auth/roles.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { CaptureProblem, CaptureRow } from '../ledger/rows.ts';

/** A capture job as EPCIS REST `CaptureJob` plus our fields (docs/api/trace.md §2). */
export function captureJobJson(c: CaptureRow, orgCode: string): Record<string, unknown> {
  return {
    captureID: c.id,
    createdAt: new Date(c.createdAt).toISOString(),
    finishedAt: new Date(c.finishedAt).toISOString(),
    running: false,
    success: c.success,
    captureErrorBehaviour: c.behaviour,
    errors: c.errors,
    eventCount: c.eventCount,
    org: orgCode,
    keyId: c.keyId,
    digest: c.digest,
    firstLeafIndex: c.firstLeaf,
  };
}

interface JobRow {
  id: string;
  org_id: number;
  code: string;
  key_id: string;
  digest: string;
  signature: string;
  error_behaviour: string;
  success: number;
  errors: string;
  event_count: number;
  first_leaf: number | null;
  created_at: number;
  finished_at: number;
  api_key_id: number | null;
}

function toRow(r: JobRow): CaptureRow {
  return {
    id: r.id,
    orgId: Number(r.org_id),
    keyId: r.key_id,
    digest: r.digest,
    signature: r.signature,
    body: '',
    behaviour: r.error_behaviour as 'rollback' | 'proceed',
    success: Number(r.success) === 1,
    errors: JSON.parse(r.errors) as CaptureProblem[],
    eventCount: Number(r.event_count),
    firstLeaf: r.first_leaf === null ? null : Number(r.first_leaf),
    createdAt: Number(r.created_at),
    finishedAt: Number(r.finished_at),
    apiKeyId: r.api_key_id === null ? null : Number(r.api_key_id),
  };
}

/**
 * Capture jobs as the REST binding lists them. Jobs are visible to admins and to keys scoped to
 * the capturing organisation (a job reveals who captured what, and its errors).
 */
export class CaptureJobs {
  constructor(private readonly db: Database) {}

  async get(id: string, p: Principal | null): Promise<Record<string, unknown>> {
    if (!p) throw new AppError('UNAUTHENTICATED');
    const r = await sql<JobRow>`SELECT c.id, c.org_id, o.code, c.key_id, c.digest, c.signature, c.error_behaviour, c.success, c.errors, c.event_count,
      c.first_leaf, c.created_at, c.finished_at, c.api_key_id FROM trace_captures c JOIN trace_orgs o ON o.id = c.org_id WHERE c.id = ${id}`.execute(this.db.kysely);
    const row = r.rows[0];
    if (!row || (p.role !== 'admin' && p.orgScope !== Number(row.org_id))) throw new AppError('NOT_FOUND', `no capture job ${id}`);
    return captureJobJson(toRow(row), row.code);
  }

  async list(p: Principal | null, perPageRaw?: string, token?: string): Promise<{ jobs: Record<string, unknown>[]; next?: string; perPage: number }> {
    if (!p) throw new AppError('UNAUTHENTICATED');
    const perPage = perPageRaw === undefined ? 30 : Number(perPageRaw);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) throw new AppError('EPCIS_QUERY_PARAMETER', 'perPage must be 1-1000');
    const after = token === undefined ? null : Buffer.from(token, 'base64url').toString('utf8');
    if (after !== null && !/^c_[0-9a-f]{24}$/.test(after)) throw new AppError('EPCIS_QUERY_PARAMETER', 'nextPageToken is not valid');
    let q = this.db.kysely
      .selectFrom('trace_captures as c')
      .innerJoin('trace_orgs as o', 'o.id', 'c.org_id')
      .select(['c.id', 'c.org_id', 'o.code', 'c.key_id', 'c.digest', 'c.signature', 'c.error_behaviour', 'c.success', 'c.errors', 'c.event_count', 'c.first_leaf', 'c.created_at', 'c.finished_at', 'c.api_key_id'])
      .orderBy('c.id')
      .limit(perPage + 1);
    if (p.role !== 'admin') q = q.where('c.org_id', '=', p.orgScope ?? -1);
    if (after) q = q.where('c.id', '>', after);
    const rows = (await q.execute()) as JobRow[];
    const page = rows.slice(0, perPage);
    const next = rows.length > perPage ? Buffer.from(page[page.length - 1]!.id).toString('base64url') : undefined;
    return { jobs: page.map((r) => captureJobJson(toRow(r), r.code)), next, perPage };
  }
}
