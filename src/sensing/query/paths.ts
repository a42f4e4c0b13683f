import { sql } from 'kysely';
import { AppError, type ErrorCode } from '../../core/errors.ts';
import { ENTITIES, type EntityDef, type NavDef, type PropDef, navOf, propForQuery } from '../model/entities.ts';
import { type PathSegment, pathText } from './ast.ts';
import { type Env, type Frag, colRef, countSubquery, freshAlias } from './compile-env.ts';

/** One navigation step of a property path. `many`: to-many, or through a link table. */
export interface Hop {
  readonly nav: NavDef;
  readonly from: EntityDef;
  readonly to: EntityDef;
  readonly many: boolean;
}

/** A property path resolved against the entity model. */
export interface ResolvedPath {
  readonly hops: readonly Hop[];
  readonly owner: EntityDef;
  readonly prop: PropDef;
  /** Keys / array indexes inside a JSON-valued property (`properties/owner/name` → ['owner', 'name']). */
  readonly json: readonly (string | number)[];
  readonly text: string;
}

const JSON_LIKE = new Set(['json', 'result', 'geometry']);

export function resolvePath(entity: EntityDef, segments: readonly PathSegment[], code: ErrorCode): ResolvedPath {
  const text = pathText(segments);
  const hops: Hop[] = [];
  let cur = entity;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const nav = navOf(cur, seg.name);
    if (nav) {
      if (seg.indexes.length) throw new AppError(code, `The navigation property ${cur.name}/${nav.name} cannot be indexed (in "${text}")`);
      const to = ENTITIES[nav.target];
      hops.push({ nav, from: cur, to, many: nav.kind === 'many' || nav.via !== undefined });
      cur = to;
      continue;
    }
    const prop = propForQuery(cur, seg.name);
    if (!prop) {
      throw new AppError('UNKNOWN_PROPERTY', `${cur.name} has no property or navigation property "${seg.name}" (in "${text}")`);
    }
    const json: (string | number)[] = [...seg.indexes];
    for (const s of segments.slice(i + 1)) json.push(s.name, ...s.indexes);
    if (json.length && !JSON_LIKE.has(prop.type)) {
      throw new AppError('UNKNOWN_PROPERTY', `${cur.name}/${prop.name} is a ${prop.type} and has no sub-properties (in "${text}")`);
    }
    return { hops, owner: cur, prop, json, text };
  }
  throw new AppError(code, `"${text}" names a related ${cur.name}, not a value; name one of its properties, e.g. "${text}/@iot.id"`);
}

/** Index of the last to-many hop, or -1. */
export function lastManyIndex(hops: readonly Hop[]): number {
  for (let i = hops.length - 1; i >= 0; i--) if (hops[i]!.many) return i;
  return -1;
}

/** Key of the hop prefix `hops[0..upto]` (navigation names joined by `/`). */
export function prefixKey(hops: readonly Hop[], upto: number): string {
  return hops
    .slice(0, upto + 1)
    .map((h) => h.nav.name)
    .join('/');
}

/** FROM items and join conditions that step from `prev` (an alias of hop.from) to hop.to. */
export function hopJoin(env: Env, prev: string, hop: Hop): { from: Frag[]; where: Frag[]; alias: string } {
  const t = freshAlias(env, 'n');
  const target = sql`${sql.table(hop.to.table)} AS ${sql.id(t)}`;
  const { nav } = hop;
  if (nav.via) {
    const l = freshAlias(env, 'k');
    return {
      from: [sql`${sql.table(nav.via.table)} AS ${sql.id(l)}`, target],
      where: [sql`${colRef(l, nav.via.self)} = ${colRef(prev, 'id')}`, sql`${colRef(t, 'id')} = ${colRef(l, nav.via.other)}`],
      alias: t,
    };
  }
  if (nav.fk) return { from: [target], where: [sql`${colRef(t, 'id')} = ${colRef(prev, nav.fk)}`], alias: t };
  if (nav.inverseFk) return { from: [target], where: [sql`${colRef(t, nav.inverseFk)} = ${colRef(prev, 'id')}`], alias: t };
  throw new AppError('NOT_IMPLEMENTED', `Navigation ${hop.from.name}/${nav.name} cannot be used in expressions`);
}

/**
 * Column access at the end of a chain of to-one hops starting at `start`: the column itself when
 * there are no hops, else a correlated scalar subquery `(SELECT n.col FROM ... WHERE ...)`, which
 * is NULL when a link is missing (so `Datastream/name eq null` works for orphans).
 */
export function columnAccessor(env: Env, start: string, hops: readonly Hop[]): (column: string) => Frag {
  if (hops.length === 0) return (column) => colRef(start, column);
  return (column) => {
    countSubquery(env);
    const from: Frag[] = [];
    const where: Frag[] = [];
    let prev = start;
    for (const h of hops) {
      const j = hopJoin(env, prev, h);
      from.push(...j.from);
      where.push(...j.where);
      prev = j.alias;
    }
    return sql`(SELECT ${colRef(prev, column)} FROM ${sql.join(from)} WHERE ${sql.join(where, sql` AND `)})`;
  };
}
