import { type RawBuilder, sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { migrate } from '../../storage/migrate.ts';
import type { TestBackend } from '../../testing/databases.ts';
import { registerGeoFunctions } from '../geo/sqlite-functions.ts';
import { ENTITIES, type EntityName } from '../model/entities.ts';
import { parseFilter, parseOrderBy } from './filter-parser.ts';
import { compileFilter, compileOrderBy } from './filter-sql.ts';
import { compareOrder, evalFilter, orderKeys } from './reference-eval.ts';
import { graph, insertDataset } from './test-dataset.ts';

/** Test support: the dataset in a database, queried through the planner, and through the reference evaluator. */

/** A fixed now() so that both sides agree. */
export const NOW = Date.parse('2024-06-15T12:00:00Z');

export async function openDataset(backend: TestBackend): Promise<Database> {
  const db = await backend.open({ onSqliteOpen: registerGeoFunctions });
  await migrate(db);
  await insertDataset(db);
  return db;
}

/** Ids matching $filter (and ordered by $orderby, then id) via SQL. */
export async function sqlIds(db: Database, entity: EntityName, filter?: string, orderby?: string): Promise<number[]> {
  const e = ENTITIES[entity];
  const ctx = { dialect: db.dialect, entity: e, alias: 'e', now: NOW } as const;
  const where = filter === undefined ? sql`1 = 1` : compileFilter(parseFilter(filter), ctx);
  const order = orderby === undefined ? [] : compileOrderBy(parseOrderBy(orderby), ctx);
  const q = sql<{ id: number }>`SELECT e.id AS id FROM ${sql.table(e.table)} AS e WHERE ${where} ORDER BY ${sql.join([...order, sql`e.id ASC`])}`;
  return runIds(db, q);
}

/**
 * Runs an id query. On PostgreSQL, JIT is switched off for it: JIT compilation of these
 * expression-heavy queries (PostGIS functions carry high cost estimates) takes up to seconds and
 * never pays off for API reads — production pools should run with `jit = off` too.
 */
export async function runIds(db: Database, q: RawBuilder<{ id: number }>): Promise<number[]> {
  if (db.dialect === 'sqlite') return (await q.execute(db.kysely)).rows.map((x) => Number(x.id));
  return db.kysely.transaction().execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx);
    return (await q.execute(trx)).rows.map((x) => Number(x.id));
  });
}

const G = graph();

/** The same through the reference evaluator. */
export function refIds(entity: EntityName, filter?: string, orderby?: string): number[] {
  const ctx = { entity: ENTITIES[entity], now: NOW };
  const ast = filter === undefined ? undefined : parseFilter(filter);
  const items = orderby === undefined ? [] : parseOrderBy(orderby);
  const rows = G[entity].filter((o) => !ast || evalFilter(ast, o, ctx));
  const keyed = rows.map((o) => ({ id: o['@iot.id'] as number, keys: orderKeys(items, o, ctx) }));
  keyed.sort((a, b) => compareOrder(items, a, b));
  return keyed.map((k) => k.id);
}
