import { AppError } from '../../core/errors.ts';
import type { EntityDef, PropDef } from '../model/entities.ts';
import { checkGeoJson, parseInstant, parseTimeObject } from './values.ts';

export type Columns = Record<string, unknown>;

/** Turns one API property value into its column values (§8.2 types), rejecting wrong types. */
export function encodeProp(e: EntityDef, p: PropDef, v: unknown, out: Columns): void {
  const what = `${e.name}.${p.name}`;
  if (v === null || v === undefined) {
    if (p.required) throw new AppError('MISSING_PROPERTY', `${what} is mandatory and cannot be null`);
    if (p.column) out[p.column] = null;
    for (const c of p.columns ?? []) out[c] = null;
    return;
  }
  switch (p.type) {
    case 'id':
      return;
    case 'string':
      if (typeof v !== 'string') throw new AppError('WRONG_TYPE', `${what} must be a string`);
      if (v.length > 65536) throw new AppError('WRONG_TYPE', `${what} is longer than 65536 characters`);
      out[p.column!] = v;
      return;
    case 'json':
      if (p.name === 'properties' || p.name === 'unitOfMeasurement') {
        if (typeof v !== 'object' || Array.isArray(v)) throw new AppError('WRONG_TYPE', `${what} must be a JSON object`);
      }
      if ((p.name === 'unitOfMeasurements' || p.name === 'multiObservationDataTypes') && !Array.isArray(v)) {
        throw new AppError('WRONG_TYPE', `${what} must be a JSON array`);
      }
      out[p.column!] = JSON.stringify(v);
      return;
    case 'geometry':
      checkGeoJson(v, what);
      out[p.column!] = JSON.stringify(v);
      return;
    case 'time':
      out[p.column!] = parseInstant(v, what);
      return;
    case 'interval': {
      const [s, en] = parseTimeObject(v, what);
      out[p.columns![0]!] = s;
      out[p.columns![1]!] = en;
      return;
    }
    case 'result':
      throw new AppError('BAD_REQUEST', 'result is written through the observation path');
  }
}

/** Checks the keys of a body: properties, navigation properties and `@iot.` annotations only. */
export function checkKeys(e: EntityDef, body: Record<string, unknown>): void {
  for (const k of Object.keys(body)) {
    if (k.includes('@iot.')) continue;
    if (e.props.some((p) => p.name === k) || e.navs.some((n) => n.name === k)) continue;
    throw new AppError('UNKNOWN_PROPERTY', `${e.name} has no property "${k}"`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{"@iot.id": 5}` (and nothing but annotations) is a link to an existing entity (§10.2.1.2). */
export function linkId(v: Record<string, unknown>): number | undefined {
  if (!('@iot.id' in v)) return undefined;
  const id = v['@iot.id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new AppError('WRONG_TYPE', '@iot.id must be a positive integer');
  return id;
}
