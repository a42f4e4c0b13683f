import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { ResourcePath } from '../http/path-parser.ts';
import { ENTITIES, type EntityDef, type NavDef } from '../model/entities.ts';
import { navConstraint, publicOnly } from './constraints.ts';

type Frag = RawBuilder<unknown>;

/** What a resource path resolves to before the final read. */
export interface Resolved {
  readonly entity: EntityDef;
  /** Conditions on alias `e` selecting the addressed rows. */
  readonly where: Frag[];
  /** Id of the single addressed entity, when the path ends in one. */
  readonly id?: number;
  /** The last parent step (for fast counts, e.g. a Datastream's Observations). */
  readonly parent?: { entity: EntityDef; id: number; nav: NavDef };
}

/**
 * Walks the path, checking at each single entity that it exists, is related to its parent and is
 * visible to the caller (404 otherwise, so private entities are indistinguishable from absent).
 */
export async function resolvePath(db: Database, path: ResourcePath, anonymous: boolean): Promise<Resolved> {
  let prev: { entity: EntityDef; id: number } | undefined;
  for (let i = 0; i < path.segments.length; i++) {
    const seg = path.segments[i]!;
    const last = i === path.segments.length - 1;
    const entity = seg.entity;
    const cond: Frag[] = [];
    const nav = seg.kind === 'nav' ? seg.nav : undefined;
    if (nav && prev) cond.push(navConstraint(prev.entity, nav, 'e', sql`${prev.id}`));
    if (seg.id !== undefined) cond.push(sql`e.id = ${seg.id}`);
    const single = seg.id !== undefined || nav?.kind === 'one';
    if (last && !single) {
      const vis = anonymous ? visibility(entity, prev?.entity) : null;
      return {
        entity,
        where: vis ? [...cond, vis] : cond,
        parent: prev && nav ? { entity: prev.entity, id: prev.id, nav } : undefined,
      };
    }
    const vis = anonymous ? publicOnly(entity, 'e') : null;
    if (vis) cond.push(vis);
    const r = await sql<{ id: number }>`SELECT e.id FROM ${sql.table(entity.table)} AS e WHERE ${sql.join(cond, sql` AND `)}`.execute(db.kysely);
    const row = r.rows[0];
    if (!row) throw new AppError('NOT_FOUND', `No ${entity.name} at ${describe(path, i)}`);
    prev = { entity, id: Number(row.id) };
  }
  return { entity: prev!.entity, where: [sql`e.id = ${prev!.id}`], id: prev!.id };
}

/** Observations reached through a visible (Multi)Datastream need no per-row check. */
function visibility(e: EntityDef, parent: EntityDef | undefined): Frag | null {
  if (e === ENTITIES.Observation && (parent === ENTITIES.Datastream || parent === ENTITIES.MultiDatastream)) return null;
  return publicOnly(e, 'e');
}

function describe(path: ResourcePath, upto: number): string {
  return path.segments
    .slice(0, upto + 1)
    .map((s) => `${s.kind === 'set' ? s.entity.set : s.nav.name}${s.id !== undefined ? `(${s.id})` : ''}`)
    .join('/');
}
