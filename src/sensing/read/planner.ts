import type { RawBuilder } from 'kysely';
import type { Dialect } from '../../storage/database.ts';
import type { EntityDef } from '../model/entities.ts';
import { filterToSql, orderByToSql } from '../query/filter-sql.ts';

/** The $filter condition on the rows of `entity` aliased `alias` (parameterised SQL). */
export function filterSql(text: string, entity: EntityDef, alias: string, dialect: Dialect): RawBuilder<unknown> {
  return filterToSql(text, { dialect, entity, alias });
}

/** ORDER BY items (each with its direction) for an $orderby text. */
export function orderBySql(text: string, entity: EntityDef, alias: string, dialect: Dialect): RawBuilder<unknown>[] {
  return orderByToSql(text, { dialect, entity, alias });
}
