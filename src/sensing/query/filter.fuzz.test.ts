import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { testBackends } from '../../testing/databases.ts';
import { ENTITIES, type EntityName } from '../model/entities.ts';
import type { Expr, OrderByItem } from './ast.ts';
import { parseFilter, parseOrderBy } from './filter-parser.ts';
import { compileFilter, compileOrderBy } from './filter-sql.ts';
import { Gen, mutate, rng } from './fuzz-gen.ts';
import { compareOrder, evalFilter, orderKeys } from './reference-eval.ts';
import { graph } from './test-dataset.ts';
import { NOW, openDataset, runIds } from './test-harness.ts';

/**
 * Differential fuzz test of the $filter / $orderby planner.
 *
 * FUZZ_COUNT texts (default 100 000) — grammar-generated filters and orderings plus byte mutations
 * of them — go through the parser and the compiler for both dialects: anything thrown must be a
 * 400-class AppError not marked internal. Of the texts that compile, up to FUZZ_SQL (default 6000)
 * run as SQL on the test dataset on SQLite (and PostgreSQL when CANTHO_TEST_POSTGRES_URL is set);
 * the ids (sets for $filter, sequences for $orderby) must equal the reference evaluator's.
 * The seed is printed; FUZZ_SEED reproduces a run.
 */

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const SQL_BUDGET = Number(process.env.FUZZ_SQL ?? 6000);
const ENTITY_NAMES: EntityName[] = ['Thing', 'Location', 'Datastream', 'Observation', 'FeatureOfInterest', 'HistoricalLocation', 'Sensor', 'ObservedProperty'];
const G = graph();

const backends = testBackends();
const dbs: Database[] = [];
before(async () => {
  for (const b of backends) dbs.push(await openDataset(b));
});
after(async () => {
  for (const db of dbs) await db.close();
  for (const b of backends) await b.cleanup();
});

interface Case {
  readonly i: number;
  readonly entity: EntityName;
  readonly text: string;
  readonly kind: 'filter' | 'orderby';
}

function checkError(e: unknown, c: Case, where: string): void {
  if (!(e instanceof AppError)) throw new Error(`[seed ${SEED} #${c.i}] ${where} threw a non-AppError for ${c.kind} ${JSON.stringify(c.text)}: ${(e as Error)?.stack ?? e}`);
  if (e.status >= 500 && e.code !== 'NOT_IMPLEMENTED') throw new Error(`[seed ${SEED} #${c.i}] ${where}: ${e.code} for ${JSON.stringify(c.text)}`);
  if (e.message.includes('(internal:')) throw new Error(`[seed ${SEED} #${c.i}] ${where}: internal error for ${JSON.stringify(c.text)}: ${e.message}`);
}

async function runSql(db: Database, entity: EntityName, where: RawBuilder<unknown>, order: RawBuilder<unknown>[]): Promise<number[]> {
  const e = ENTITIES[entity];
  return runIds(db, sql<{ id: number }>`SELECT e.id AS id FROM ${sql.table(e.table)} AS e WHERE ${where} ORDER BY ${sql.join([...order, sql`e.id ASC`])}`);
}

function reference(entity: EntityName, ast: Expr | undefined, items: OrderByItem[]): number[] {
  const ctx = { entity: ENTITIES[entity], now: NOW };
  const rows = G[entity].filter((o) => !ast || evalFilter(ast, o, ctx));
  const keyed = rows.map((o) => ({ id: o['@iot.id'] as number, keys: orderKeys(items, o, ctx) }));
  keyed.sort((a, b) => compareOrder(items, a, b));
  return keyed.map((k) => k.id);
}

test(`differential fuzz of $filter/$orderby (seed ${SEED}, ${COUNT} texts)`, { timeout: 600_000 }, async (t) => {
  const r = rng(SEED);
  const started = Date.now();
  let valid = 0;
  let generatedValid = 0;
  let generated = 0;
  let executed = 0;
  let discriminating = 0;
  const failures: string[] = [];
  const recent: string[] = ['name eq 1'];
  for (let i = 0; i < COUNT; i++) {
    const entity = ENTITY_NAMES[Math.floor(r() * ENTITY_NAMES.length)]!;
    const orderby = r() < 0.2;
    const gen = new Gen(r, entity, orderby, G[entity]);
    let text = orderby ? gen.orderByText() : gen.bool(1 + Math.floor(r() * 3));
    const mutated = r() < 0.45;
    if (mutated) text = mutate(r, text, recent[Math.floor(r() * recent.length)]!);
    else generated++;
    if (recent.length < 64) recent.push(text);
    else recent[i % 64] = text;
    const c: Case = { i, entity, text, kind: orderby ? 'orderby' : 'filter' };
    let ast: Expr | undefined;
    let items: OrderByItem[] = [];
    try {
      if (orderby) items = parseOrderBy(text);
      else ast = parseFilter(text);
    } catch (e) {
      checkError(e, c, 'parse');
      continue;
    }
    const compiled: { where: RawBuilder<unknown>; order: RawBuilder<unknown>[] }[] = [];
    try {
      for (const dialect of ['sqlite', 'postgres'] as const) {
        const ctx = { dialect, entity: ENTITIES[entity], alias: 'e', now: NOW };
        compiled.push({ where: ast ? compileFilter(ast, ctx) : sql`1 = 1`, order: compileOrderBy(items, ctx) });
      }
    } catch (e) {
      checkError(e, c, 'compile');
      continue;
    }
    valid++;
    if (!mutated) generatedValid++;
    if (executed >= SQL_BUDGET) continue;
    executed++;
    let want: number[];
    try {
      want = reference(entity, ast, items);
    } catch (e) {
      failures.push(`[seed ${SEED} #${i}] reference evaluator failed on ${entity} ${c.kind} ${JSON.stringify(text)}: ${(e as Error).message}`);
      continue;
    }
    if (want.length > 0 && want.length < G[entity].length) discriminating++;
    for (const db of dbs) {
      const frag = compiled[db.dialect === 'sqlite' ? 0 : 1]!;
      let got: number[];
      try {
        got = await runSql(db, entity, frag.where, frag.order);
      } catch (e) {
        failures.push(`[seed ${SEED} #${i}] ${db.dialect} SQL error on ${entity} ${c.kind} ${JSON.stringify(text)}: ${(e as Error).message}`);
        continue;
      }
      const same = orderby ? JSON.stringify(got) === JSON.stringify(want) : JSON.stringify([...got].sort((a, b) => a - b)) === JSON.stringify(want.sort((a, b) => a - b));
      if (!same) failures.push(`[seed ${SEED} #${i}] ${db.dialect} ${entity}?$${c.kind}=${text}\n    sql:       ${got.join(',')}\n    reference: ${want.join(',')}`);
    }
    if (failures.length >= 20) break;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const share = ((100 * valid) / COUNT).toFixed(1);
  t.diagnostic(`fuzz seed=${SEED} texts=${COUNT} valid=${valid} (${share}%) generated=${generated} generatedValid=${generatedValid} sqlExecuted=${executed} discriminating=${discriminating} backends=${dbs.map((d) => d.dialect).join('+')} seconds=${secs}`);
  process.stdout.write(`# fuzz seed=${SEED} texts=${COUNT} valid=${valid} (${share}%) sqlExecuted=${executed} (${discriminating} matched some but not all rows) on ${dbs.map((d) => d.dialect).join('+')} in ${secs}s\n`);
  assert.deepEqual(failures, [], failures.join('\n'));
  assert.ok(valid / COUNT >= 0.3, `only ${share}% of the fuzz texts were valid`);
});
