import type BetterSqlite3 from 'better-sqlite3';
import { registerGeoFunctions } from '../sensing/geo/sqlite-functions.ts';
import { registerDeadlineFunction } from './deadline-function.ts';

/**
 * SQL functions the planner needs on SQLite (geometry, read deadlines), registered on every new
 * connection. The read threads register the same two sets themselves (read-worker.ts).
 */
export function registerSqliteExtensions(db: BetterSqlite3.Database): void {
  registerGeoFunctions(db);
  registerDeadlineFunction(db);
}
