import type { RawBuilder } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Dialect } from '../../storage/database.ts';
import type { EntityDef } from '../model/entities.ts';

/** Adapter between the reader and the OData planner (src/sensing/query). */
export function filterSql(_text: string, _entity: EntityDef, _alias: string, _dialect: Dialect): RawBuilder<unknown> {
  throw new AppError('NOT_IMPLEMENTED', '$filter is not available yet');
}

/** ORDER BY items (each with its direction) for an $orderby text. */
export function orderBySql(_text: string, _entity: EntityDef, _alias: string, _dialect: Dialect): RawBuilder<unknown>[] {
  throw new AppError('NOT_IMPLEMENTED', '$orderby is not available yet');
}
