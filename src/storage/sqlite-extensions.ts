import type BetterSqlite3 from 'better-sqlite3';

/** SQL functions the planner needs on SQLite (geometry), registered on every new connection. */
export function registerSqliteExtensions(_db: BetterSqlite3.Database): void {}
