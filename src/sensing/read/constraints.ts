import { type RawBuilder, sql } from 'kysely';
import type { EntityDef, NavDef } from '../model/entities.ts';

type Frag = RawBuilder<unknown>;

/**
 * The SQL condition on `alias` (a row of nav.target) that makes it related to the parent whose id
 * is `parentId` (a parameter or an SQL expression): used by resource paths
 * (`Things(1)/Datastreams`), $expand and the planner.
 */
export function navConstraint(parent: EntityDef, nav: NavDef, alias: string, parentId: Frag): Frag {
  const a = sql.ref(alias);
  if (nav.fk) {
    // to-one: target.id = (SELECT fk FROM parent WHERE id = P)
    return sql`${a}.id = (SELECT np.${sql.ref(nav.fk)} FROM ${sql.table(parent.table)} AS np WHERE np.id = ${parentId})`;
  }
  if (nav.inverseFk) return sql`${a}.${sql.ref(nav.inverseFk)} = ${parentId}`;
  const v = nav.via!;
  return sql`${a}.id IN (SELECT l.${sql.ref(v.other)} FROM ${sql.table(v.table)} AS l WHERE l.${sql.ref(v.self)} = ${parentId})`;
}

/**
 * Rows an anonymous caller may see: public Things and what hangs off them. A Location is hidden
 * when a private Thing uses it. Sensors, ObservedProperties and FeaturesOfInterest are shared
 * vocabulary and stay public. Observations are checked through their (Multi)Datastream.
 */
export function publicOnly(e: EntityDef, alias: string): Frag | null {
  const a = sql.ref(alias);
  switch (e.name) {
    case 'Thing':
    case 'Datastream':
    case 'MultiDatastream':
      return sql`${a}.is_public = 1`;
    case 'HistoricalLocation':
      return sql`EXISTS (SELECT 1 FROM things t WHERE t.id = ${a}.thing_id AND t.is_public = 1)`;
    case 'Location':
      return sql`NOT EXISTS (SELECT 1 FROM thing_locations tl JOIN things t ON t.id = tl.thing_id WHERE tl.location_id = ${a}.id AND t.is_public = 0)`;
    case 'Observation':
      return sql`(EXISTS (SELECT 1 FROM datastreams d WHERE d.id = ${a}.datastream_id AND d.is_public = 1) OR EXISTS (SELECT 1 FROM multi_datastreams m WHERE m.id = ${a}.multi_datastream_id AND m.is_public = 1))`;
    default:
      return null;
  }
}
