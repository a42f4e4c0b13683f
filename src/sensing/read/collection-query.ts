import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { QueryOptions } from '../http/query-options.ts';
import type { EntityDef } from '../model/entities.ts';
import { type Deadline, deadlineTerm } from '../../storage/deadline.ts';
import { filterSql, orderBySql } from './planner.ts';
import { columnsOf } from './serialize.ts';

type Frag = RawBuilder<unknown>;

/** Limits of a read (§9.3.3.3: the server imposes its $top maximum). */
export interface Paging {
  readonly defaultTop: number;
  readonly maxTop: number;
  /** How long one read may run, in ms (storage/deadline.ts); 0 or absent: unbounded. */
  readonly timeoutMs?: number;
}

export function effectiveTop(o: QueryOptions, p: Paging): number {
  return Math.min(o.top ?? p.defaultTop, p.maxTop);
}

/**
 * The WHERE conditions of a collection read: the path's constraints, visibility, then $filter —
 * evaluated in the spec's order $filter → $count → $orderby → $skip → $top (§9.3.2) — after, on
 * SQLite, the read's deadline (first, so that it sees every visited row).
 */
export function whereOf(db: Database, e: EntityDef, base: Frag[], o: QueryOptions, deadline?: Deadline): Frag {
  const stop = deadlineTerm(db, deadline);
  const parts = stop ? [stop, ...base] : [...base];
  if (o.filter !== undefined) parts.push(filterSql(o.filter, e, 'e', db.dialect));
  return parts.length ? sql.join(parts, sql` AND `) : sql`1 = 1`;
}

/**
 * NOT NULL columns (migration 001) that an index has right after the parent key, by table. On
 * them `NULLS FIRST` / `NULLS LAST` changes nothing, but on PostgreSQL it keeps a B-tree index
 * from giving the order (an index scan gives ASC NULLS LAST, or backwards DESC NULLS FIRST): a
 * LATERAL top-1 per Datastream then sorts every row of each instead of reading one.
 */
const NOT_NULL_SORT_KEYS: Readonly<Record<string, readonly string[]>> = {
  observations: ['phenomenon_time_start'],
  historical_locations: ['time'],
};

/** `"e"."col" DESC NULLS LAST` → `"e"."col" DESC` for the NOT NULL columns above (PostgreSQL only). */
function withoutNoopNulls(db: Database, e: EntityDef, items: Frag[]): Frag[] {
  const cols = NOT_NULL_SORT_KEYS[e.table];
  if (db.dialect !== 'postgres' || !cols) return items;
  return items.map((it) => {
    const c = it.compile(db.kysely);
    const m = /^"e"\."(\w+)" (ASC NULLS FIRST|DESC NULLS LAST)$/.exec(c.sql);
    if (!m || c.parameters.length || !cols.includes(m[1]!)) return it;
    return sql.raw(`"e"."${m[1]}" ${m[2]!.slice(0, m[2]!.indexOf(' '))}`);
  });
}

/**
 * SQLite only: when the first $orderby key is one of the NOT NULL columns above, an always-true
 * range on it (`>= -9e999`, minus infinity). It makes that column's index the planner's choice:
 * for `datastream_id = ? ORDER BY phenomenonTime desc` SQLite otherwise takes (datastream_id, id),
 * which serves the default order, and sorts the whole stream instead of reading its newest rows.
 * Null on PostgreSQL, which costs both plans from statistics.
 */
export function leadingKeyRange(db: Database, e: EntityDef, o: QueryOptions): Frag | null {
  const cols = NOT_NULL_SORT_KEYS[e.table];
  if (db.dialect !== 'sqlite' || !cols || o.orderby === undefined) return null;
  const first = orderBySql(o.orderby, e, 'e', db.dialect)[0];
  if (!first) return null;
  const c = first.compile(db.kysely);
  const m = /^"e"\."(\w+)" (ASC|DESC)( NULLS (FIRST|LAST))?$/.exec(c.sql);
  if (!m || c.parameters.length || !cols.includes(m[1]!)) return null;
  return sql.raw(`"e"."${m[1]}" >= -9e999`);
}

export function orderOf(db: Database, e: EntityDef, o: QueryOptions): Frag {
  const items = o.orderby !== undefined ? withoutNoopNulls(db, e, orderBySql(o.orderby, e, 'e', db.dialect)) : [];
  // A final id key makes every ordering total, so paging with $skip never repeats or drops rows.
  return sql.join([...items, sql`e.id ASC`], sql`, `);
}

export function selectList(e: EntityDef): Frag {
  return sql.join(columnsOf(e).map((c) => sql`e.${sql.ref(c)}`), sql`, `);
}

/**
 * `LIMIT n OFFSET m` with the numbers written into the SQL: SQLite plans a literal LIMIT better
 * than a bound one (a top-1 page of one Datastream's Observations ran 2.5× faster). Both are
 * integers computed from validated options; anything else stays a parameter.
 */
export function limitOffset(limit: number, offset: number): Frag {
  const lit = (n: number) => (Number.isSafeInteger(n) && n >= 0 ? sql.raw(String(n)) : sql`${n}`);
  return sql`LIMIT ${lit(limit)} OFFSET ${lit(offset)}`;
}

/** SELECT of one page; fetches top+1 rows so the caller knows whether a next page exists. */
export function pageQuery(db: Database, e: EntityDef, where: Frag, o: QueryOptions, top: number): Frag {
  const range = leadingKeyRange(db, e, o);
  const cond = range ? sql`${where} AND ${range}` : where;
  return sql`SELECT ${selectList(e)} FROM ${sql.table(e.table)} AS e WHERE ${cond} ORDER BY ${orderOf(db, e, o)} ${limitOffset(top + 1, o.skip ?? 0)}`;
}

export function countQuery(e: EntityDef, where: Frag): Frag {
  return sql`SELECT COUNT(*) AS n FROM ${sql.table(e.table)} AS e WHERE ${where}`;
}
