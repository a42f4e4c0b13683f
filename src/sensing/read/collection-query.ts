import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { QueryOptions } from '../http/query-options.ts';
import type { EntityDef } from '../model/entities.ts';
import { filterSql, orderBySql } from './planner.ts';
import { columnsOf } from './serialize.ts';

type Frag = RawBuilder<unknown>;

/** Limits of one level of a read (§9.3.3.3: the server imposes its $top maximum). */
export interface Paging {
  readonly defaultTop: number;
  readonly maxTop: number;
}

export function effectiveTop(o: QueryOptions, p: Paging): number {
  return Math.min(o.top ?? p.defaultTop, p.maxTop);
}

/**
 * The WHERE conditions of a collection read: the path's constraints, visibility, then $filter —
 * evaluated in the spec's order $filter → $count → $orderby → $skip → $top (§9.3.2).
 */
export function whereOf(db: Database, e: EntityDef, base: Frag[], o: QueryOptions): Frag {
  const parts = [...base];
  if (o.filter !== undefined) parts.push(filterSql(o.filter, e, 'e', db.dialect));
  return parts.length ? sql.join(parts, sql` AND `) : sql`1 = 1`;
}

export function orderOf(db: Database, e: EntityDef, o: QueryOptions): Frag {
  const items = o.orderby !== undefined ? orderBySql(o.orderby, e, 'e', db.dialect) : [];
  // A final id key makes every ordering total, so paging with $skip never repeats or drops rows.
  return sql.join([...items, sql`e.id ASC`], sql`, `);
}

export function selectList(e: EntityDef): Frag {
  return sql.join(columnsOf(e).map((c) => sql`e.${sql.ref(c)}`), sql`, `);
}

/** SELECT of one page; fetches top+1 rows so the caller knows whether a next page exists. */
export function pageQuery(db: Database, e: EntityDef, where: Frag, o: QueryOptions, top: number): Frag {
  return sql`SELECT ${selectList(e)} FROM ${sql.table(e.table)} AS e WHERE ${where} ORDER BY ${orderOf(db, e, o)} LIMIT ${top + 1} OFFSET ${o.skip ?? 0}`;
}

export function countQuery(e: EntityDef, where: Frag): Frag {
  return sql`SELECT COUNT(*) AS n FROM ${sql.table(e.table)} AS e WHERE ${where}`;
}
