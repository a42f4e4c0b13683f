import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import { type Database, readerOf } from '../../storage/database.ts';
import type { ExpandItem, QueryOptions } from '../http/query-options.ts';
import { ENTITIES, type EntityDef, navOf } from '../model/entities.ts';
import { effectiveTop, leadingKeyRange, limitOffset, orderOf, type Paging, selectList, whereOf } from './collection-query.ts';
import { navConstraint, publicOnly } from './constraints.ts';
import type { Deadline } from '../../storage/deadline.ts';
import { rowObjects } from '../../storage/read-pool.ts';
import { expandPages, selectRows } from './rows.ts';
import { renderContext, renderEntity, type Row, selectProblem } from './serialize.ts';

type Frag = RawBuilder<unknown>;

export interface ReadScope {
  readonly db: Database;
  readonly paging: Paging;
  readonly anonymous: boolean;
  /** `https://host/v1.1` */
  readonly root: string;
  /** When the read must stop (storage/deadline.ts); set by `read` from `paging.timeoutMs`. */
  readonly deadline?: Deadline;
}

/** One level of rendered rows, kept beside the raw rows they came from. */
export interface Level {
  readonly entity: EntityDef;
  readonly rows: Row[];
  readonly out: Record<string, unknown>[];
}

/** Merges `$expand=A/B,A/C` into a tree keyed by the first navigation name. */
function group(items: ExpandItem[]): Map<string, { options: QueryOptions; children: ExpandItem[] }> {
  const tree = new Map<string, { options: QueryOptions; children: ExpandItem[] }>();
  for (const it of items) {
    const [head, ...rest] = it.path;
    let node = tree.get(head!);
    if (!node) {
      node = { options: {}, children: [] };
      tree.set(head!, node);
    }
    if (rest.length === 0) node.options = { ...it.options, expand: [...(node.options.expand ?? []), ...(it.options.expand ?? [])] };
    else node.children.push({ path: rest, options: it.options });
  }
  return tree;
}

export function renderLevel(scope: ReadScope, e: EntityDef, rows: Row[], select?: string[]): Level {
  const problem = selectProblem(e, select);
  if (problem) throw new AppError('INVALID_SELECT', problem);
  const ctx = renderContext(scope.root, select);
  return { entity: e, rows, out: rows.map((r) => renderEntity(e, r, ctx)) };
}

/** Applies $expand to a level, recursively (§9.3.2.1). */
export async function expandLevel(scope: ReadScope, level: Level, items: ExpandItem[] | undefined): Promise<void> {
  if (!items?.length || level.rows.length === 0) return;
  for (const [name, node] of group(items)) {
    const nav = navOf(level.entity, name);
    if (!nav) throw new AppError('INVALID_EXPAND', `${level.entity.name} has no navigation property "${name}"`);
    const target = ENTITIES[nav.target];
    const options: QueryOptions = { ...node.options, expand: [...(node.options.expand ?? []), ...node.children] };
    const child = nav.kind === 'one' && nav.fk ? await expandOne(scope, level, name, nav.fk, target, options) : await expandMany(scope, level, name, target, options);
    await expandLevel(scope, child, options.expand);
  }
}

async function expandOne(scope: ReadScope, level: Level, name: string, fk: string, target: EntityDef, o: QueryOptions): Promise<Level> {
  const ids = [...new Set(level.rows.map((r) => r[fk]).filter((v) => v !== null && v !== undefined).map(Number))];
  if (ids.length === 0) return { entity: target, rows: [], out: [] };
  const where: Frag[] = [sql`e.id IN (${sql.join(ids)})`];
  const vis = scope.anonymous ? publicOnly(target, 'e') : null;
  if (vis) where.push(vis);
  const rows = await selectRows(scope.db, sql`SELECT ${selectList(target)} FROM ${sql.table(target.table)} AS e WHERE ${whereOf(scope.db, target, where, o, scope.deadline)}`);
  const child = renderLevel(scope, target, rows, o.select);
  const byId = new Map(child.rows.map((row, i) => [Number(row.id), child.out[i]!]));
  level.rows.forEach((row, i) => {
    const hit = row[fk] === null || row[fk] === undefined ? undefined : byId.get(Number(row[fk]));
    if (hit) level.out[i]![name] = hit;
  });
  return child;
}

async function expandMany(scope: ReadScope, level: Level, name: string, target: EntityDef, o: QueryOptions): Promise<Level> {
  const { db } = scope;
  const nav = navOf(level.entity, name)!;
  const top = effectiveTop(o, scope.paging);
  const skip = o.skip ?? 0;
  const vis = scope.anonymous && !(target === ENTITIES.Observation) ? publicOnly(target, 'e') : null;
  const parentIds = level.rows.map((r) => Number(r.id));
  const byParent = new Map<number, Row[]>();
  const counts = new Map<number, number>();

  if (db.dialect === 'sqlite') {
    // Two steps. First the ordered ids of each parent's page: one prepared statement run per parent
    // (cheap in-process calls, each an index range scan that reads no more than it must, and no
    // columns beyond the sort keys). Then the rows of all pages at once, by primary key. Both run in
    // one snapshot: on a read thread in one read transaction, else back to back without yielding.
    const where = whereOf(db, target, [navConstraint(level.entity, nav, 'e', sql`${-1}`), ...(vis ? [vis] : [])], o, scope.deadline);
    const range = leadingKeyRange(db, target, o);
    const ids = sql`SELECT e.id FROM ${sql.table(target.table)} AS e WHERE ${range ? sql`${where} AND ${range}` : where} ORDER BY ${orderOf(db, target, o)} ${limitOffset(top + 1, skip)}`.compile(db.kysely);
    const count = o.count ? sql`SELECT COUNT(*) AS n FROM ${sql.table(target.table)} AS e WHERE ${where}`.compile(db.kysely) : null;
    const rows = sql`SELECT ${selectList(target)} FROM ${sql.table(target.table)} AS e WHERE e.id IN (SELECT value FROM json_each(${'[]'}))`.compile(db.kysely);
    const r = await expandPages(db, { parentIds, ids, count, top, rows });
    const byId = new Map<number, Row>();
    for (const row of rowObjects(r.rows)) byId.set(Number(row.id), row);
    for (let i = 0; i < parentIds.length; i++) {
      const pageIds = r.pages[i]!;
      const page: Row[] = [];
      for (let k = 0; k < pageIds.length; k++) {
        // The extra row past $top stays a placeholder: it is cut below, before rendering.
        const row = k < top ? byId.get(pageIds[k]!) : ({ id: pageIds[k] } as Row);
        if (row) page.push(row);
      }
      byParent.set(parentIds[i]!, page);
      if (r.counts) counts.set(parentIds[i]!, r.counts[i]!);
    }
  } else {
    // PostgreSQL: one LATERAL query serves every parent (no round trip per parent).
    const where = whereOf(db, target, [navConstraint(level.entity, nav, 'e', sql`p.pid`), ...(vis ? [vis] : [])], o, scope.deadline);
    const r = await sql<Row & { __pid: number }>`SELECT p.pid AS __pid, x.* FROM unnest(CAST(${parentIds} AS bigint[])) AS p(pid)
      CROSS JOIN LATERAL (SELECT ${selectList(target)} FROM ${sql.table(target.table)} AS e WHERE ${where}
      ORDER BY ${orderOf(db, target, o)} ${limitOffset(top + 1, skip)}) AS x`.execute(readerOf(db));
    for (const row of r.rows) {
      const list = byParent.get(Number(row.__pid)) ?? [];
      list.push(row);
      byParent.set(Number(row.__pid), list);
    }
    if (o.count) {
      const c = await sql<{ pid: number; n: number }>`SELECT p.pid, (SELECT COUNT(*) FROM ${sql.table(target.table)} AS e WHERE ${where}) AS n
        FROM unnest(CAST(${parentIds} AS bigint[])) AS p(pid)`.execute(readerOf(db));
      for (const row of c.rows) counts.set(Number(row.pid), Number(row.n));
    }
  }

  const allRows: Row[] = [];
  const allOut: Record<string, unknown>[] = [];
  const nextQuery = nextLinkQuery(o, top, skip); // the same for every parent
  level.rows.forEach((row, i) => {
    const pid = Number(row.id);
    const rows = byParent.get(pid) ?? [];
    const more = rows.length > top;
    if (more) rows.length = top;
    const child = renderLevel(scope, target, rows, o.select);
    const out = level.out[i]!;
    if (o.count) out[`${name}@iot.count`] = counts.get(pid) ?? 0;
    out[name] = child.out;
    if (more) out[`${name}@iot.nextLink`] = `${scope.root}/${level.entity.set}(${pid})/${name}?${nextQuery}`;
    allRows.push(...child.rows);
    allOut.push(...child.out);
  });
  return { entity: target, rows: allRows, out: allOut };
}

/** The next page's URL: the same options with $skip advanced by $top. */
export function nextLinkFor(base: string, o: QueryOptions, top: number, skip: number): string {
  return `${base}?${nextLinkQuery(o, top, skip)}`;
}

/** The query string of the next page's URL. */
function nextLinkQuery(o: QueryOptions, top: number, skip: number): string {
  const p = new URLSearchParams();
  if (o.filter !== undefined) p.set('$filter', o.filter);
  if (o.orderby !== undefined) p.set('$orderby', o.orderby);
  if (o.select) p.set('$select', o.select.join(','));
  if (o.count) p.set('$count', 'true');
  if (o.resultFormat) p.set('$resultFormat', o.resultFormat);
  p.set('$top', String(top));
  p.set('$skip', String(skip + top));
  return p.toString().replace(/\+/g, '%20');
}
