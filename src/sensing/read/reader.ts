import { sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { ResourcePath } from '../http/path-parser.ts';
import type { QueryOptions } from '../http/query-options.ts';
import { ENTITIES } from '../model/entities.ts';
import { countQuery, effectiveTop, pageQuery, selectList, whereOf } from './collection-query.ts';
import { toDataArray } from './data-array.ts';
import { readerOf } from '../../storage/database.ts';
import { deadlineFrom } from '../../storage/deadline.ts';
import { expandLevel, type ReadScope, renderLevel } from './expand.ts';
import { propValue } from './serialize.ts';
import { resolvePath } from './resolve.ts';
import { selectRows } from './rows.ts';

/** What a GET returns: JSON, or raw text for `$value`. */
export type ReadResult = { kind: 'json'; body: unknown } | { kind: 'text'; body: string };

/**
 * Serves every GET under /v1.1 (§9.2 resource paths, §9.3 query options). `query` is the original
 * query string, so server-driven paging links repeat every option but $skip/$top (§9.3.3.6).
 */
export async function read(unbounded: ReadScope, path: ResourcePath, o: QueryOptions, query: URLSearchParams): Promise<ReadResult> {
  const scope: ReadScope = { ...unbounded, deadline: deadlineFrom(unbounded.paging.timeoutMs ?? 0) };
  const { db } = scope;
  const r = await resolvePath(db, path, scope.anonymous);
  const e = r.entity;

  if (path.single) {
    const rows = await selectRows(db, sql`SELECT ${selectList(e)} FROM ${sql.table(e.table)} AS e WHERE ${sql.join(r.where, sql` AND `)}`);
    const row = rows[0];
    if (!row) throw new AppError('NOT_FOUND', `No such ${e.name}`);
    if (path.property) {
      const v = propValue(path.property, row);
      if (path.value) return { kind: 'text', body: v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v) };
      return { kind: 'json', body: { [path.property.name]: v } };
    }
    if (path.ref) return { kind: 'json', body: { '@iot.selfLink': `${scope.root}/${e.set}(${row.id})` } };
    const level = renderLevel(scope, e, [row], o.select);
    await expandLevel(scope, level, o.expand);
    return { kind: 'json', body: level.out[0] };
  }

  if (o.resultFormat === 'dataArray' && e !== ENTITIES.Observation) {
    throw new AppError('INVALID_QUERY_OPTION', '$resultFormat=dataArray applies to Observations only');
  }
  const top = effectiveTop(o, scope.paging);
  const skip = o.skip ?? 0;
  const where = whereOf(db, e, r.where, o, scope.deadline);
  const rows = await selectRows(db, pageQuery(db, e, where, o, top));
  const more = top > 0 && rows.length > top;
  if (rows.length > top) rows.length = top;

  const body: Record<string, unknown> = {};
  if (o.count) body['@iot.count'] = await count(scope, r, o, where);
  if (more) {
    const next = new URLSearchParams(query);
    next.set('$top', String(top));
    next.set('$skip', String(skip + top));
    body['@iot.nextLink'] = `${scope.root}/${pathText(path)}?${next.toString().replace(/\+/g, '%20')}`;
  }
  if (path.ref) {
    body.value = rows.map((row) => ({ '@iot.selfLink': `${scope.root}/${e.set}(${row.id})` }));
    return { kind: 'json', body };
  }
  if (o.resultFormat === 'dataArray') {
    body.value = toDataArray(scope.root, rows, o.select);
    return { kind: 'json', body };
  }
  const level = renderLevel(scope, e, rows, o.select);
  await expandLevel(scope, level, o.expand);
  body.value = level.out;
  return { kind: 'json', body };
}

/**
 * $count (§9.3.3.4). Without $filter, a (Multi)Datastream's Observations are counted from the
 * counter kept on its row by the write path, so the answer costs one lookup whatever the size.
 */
async function count(scope: ReadScope, r: Awaited<ReturnType<typeof resolvePath>>, o: QueryOptions, where: ReturnType<typeof whereOf>): Promise<number> {
  const { db } = scope;
  const p = r.parent;
  if (o.filter === undefined && r.entity === ENTITIES.Observation && p && (p.entity === ENTITIES.Datastream || p.entity === ENTITIES.MultiDatastream)) {
    const c = await sql<{ n: number }>`SELECT obs_count AS n FROM ${sql.table(p.entity.table)} WHERE id = ${p.id}`.execute(db.kysely);
    return Number(c.rows[0]?.n ?? 0);
  }
  if (o.filter === undefined && r.entity === ENTITIES.Observation && !p && r.where.length === 0) {
    const c = await sql<{ n: number }>`SELECT (SELECT COALESCE(SUM(obs_count), 0) FROM datastreams) + (SELECT COALESCE(SUM(obs_count), 0) FROM multi_datastreams) AS n`.execute(db.kysely);
    return Number(c.rows[0]?.n ?? 0);
  }
  const c = await countQuery(r.entity, where).execute(readerOf(db));
  return Number((c.rows[0] as { n: number }).n);
}

function pathText(path: ResourcePath): string {
  const segs = path.segments.map((s) => `${s.kind === 'set' ? s.entity.set : s.nav.name}${s.id !== undefined ? `(${s.id})` : ''}`);
  if (path.ref) segs.push('$ref');
  return segs.join('/');
}
