import type BetterSqlite3 from 'better-sqlite3';
import { registerGeoFunctions } from '../sensing/geo/sqlite-functions.ts';

/** SQL functions the planner needs on SQLite (geometry), registered on every new connection. */
export function registerSqliteExtensions(db: BetterSqlite3.Database): void {
  registerGeoFunctions(db);
}
