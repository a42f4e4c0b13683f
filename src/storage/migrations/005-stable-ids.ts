import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migrate.ts';

/**
 * SQLite: an id is never handed out twice. A table whose key is a plain `INTEGER PRIMARY KEY`
 * gives a new row the largest id in the table plus one, so once the newest rows are deleted their
 * ids come back: `Observations(41873)` in a saved link or a cache then names another observation,
 * and a live client resuming after 41873 (`Last-Event-ID`) misses the new 41873. AUTOINCREMENT
 * keeps the largest id ever used (in `sqlite_sequence`) and never goes below it; PostgreSQL's
 * identity columns never did.
 *
 * SQLite cannot add AUTOINCREMENT to a table, so each table is rebuilt the documented way
 * (https://www.sqlite.org/lang_altertable.html#otheralter): a new table of the same definition,
 * the rows copied with their ids, the old one dropped, the new one renamed, its indexes made
 * again. The migration runner turns foreign keys off meanwhile (a dropped parent would otherwise
 * take its children with it) and checks them before it commits. The copy writes every row once:
 * 4.2 s for 2 million observations (177 MiB) on a 2-core machine, and the WAL grows by the size
 * of the tables until the checkpointer has copied it. The database file keeps the old tables'
 * space as free pages, which later writes reuse (500,000 observations: 44 MiB before, 65 after;
 * `VACUUM` gives the space back).
 */
const TABLES = [
  'things',
  'locations',
  'historical_locations',
  'sensors',
  'observed_properties',
  'datastreams',
  'multi_datastreams',
  'features_of_interest',
  'observations',
  'users',
  'api_keys',
];

/** The definition `ddl` of `table` (`CREATE TABLE table (id INTEGER PRIMARY KEY, …)`) with AUTOINCREMENT, naming the table `as`. */
export function withAutoincrement(ddl: string, table: string, as = table): string {
  const head = `CREATE TABLE ${table} (id INTEGER PRIMARY KEY,`;
  if (!ddl.startsWith(head)) throw new Error(`migration 5: ${table} is not defined as expected: ${ddl.slice(0, 80)}`);
  return `CREATE TABLE ${as} (id INTEGER PRIMARY KEY AUTOINCREMENT,${ddl.slice(head.length)}`;
}

/** The statements that rebuild `table` with AUTOINCREMENT, read off its definition as it stands. */
function rebuildWithAutoincrement(raw: BetterSqlite3.Database, table: string): string[] {
  const def = raw.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) as { sql: string } | undefined;
  if (!def) throw new Error(`migration 5: no table ${table}`);
  if (/\bAUTOINCREMENT\b/i.test(def.sql)) return [];
  const indexes = raw.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").all(table) as { sql: string }[];
  const next = `${table}_rebuilt`;
  return [
    withAutoincrement(def.sql, table, next),
    `INSERT INTO ${next} SELECT * FROM ${table}`,
    `DROP TABLE ${table}`,
    `ALTER TABLE ${next} RENAME TO ${table}`,
    ...indexes.map((i) => i.sql),
  ];
}

export const stableIdsMigration: Migration = {
  version: 5,
  name: 'stable-ids',
  sqlite: (raw) => TABLES.flatMap((t) => rebuildWithAutoincrement(raw, t)),
  postgres: [],
};
