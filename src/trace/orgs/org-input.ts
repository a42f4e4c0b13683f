import { AppError } from '../../core/errors.ts';
import { gs1CheckDigit } from '../epcis/epc-uri.ts';
import { ORG_CODE } from '../signing/capture-signature.ts';
import { type Certificate, ORG_KINDS, type OrgInput, type OrgKind } from './org.types.ts';

/**
 * Defensive parsing of organisation, product and location bodies (outside input): every field is
 * type-checked and length-bounded; unknown fields are refused so typos do not pass silently.
 */

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AppError('INVALID_ENTITY', `${what} must be a JSON object`);
  return v as Obj;
}

function only(o: Obj, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new AppError('INVALID_ENTITY', `${what}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}

/** A required or optional bounded string. */
export function str(o: Obj, key: string, max: number, required: true): string;
export function str(o: Obj, key: string, max: number, required?: false): string | null;
export function str(o: Obj, key: string, max: number, required = false): string | null {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new AppError('MISSING_PROPERTY', `"${key}" is required`);
    return null;
  }
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new AppError('WRONG_TYPE', `"${key}" must be a non-empty string of at most ${max} characters`);
  return v;
}

function num(o: Obj, key: string, min: number, max: number): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new AppError('WRONG_TYPE', `"${key}" must be a number from ${min} to ${max}`);
  return v;
}

/** True when `s` is a GS1 key of `len` digits with a valid mod-10 check digit (GS1 General Specifications §7.9). */
export function validGs1Key(s: string, len: number): boolean {
  return s.length === len && /^\d+$/.test(s) && gs1CheckDigit(s.slice(0, -1)) === s.slice(-1);
}

/** A GLN (13 digits, check digit) or throws. */
export function glnOf(v: string | null, key = 'gln'): string | null {
  if (v !== null && !validGs1Key(v, 13)) throw new AppError('INVALID_ENTITY', `"${key}" must be a 13-digit GLN with a valid check digit`);
  return v;
}

function certificates(v: unknown): Certificate[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > 20) throw new AppError('WRONG_TYPE', '"certificates" must be an array of at most 20 certificates');
  return v.map((c, i) => {
    const o = obj(c, `certificates[${i}]`);
    only(o, ['scheme', 'id', 'issuer', 'validFrom', 'validUntil', 'url', 'rating'], `certificates[${i}]`);
    const out: Record<string, string> = { scheme: str(o, 'scheme', 40, true), id: str(o, 'id', 100, true), issuer: str(o, 'issuer', 200, true) };
    for (const k of ['validFrom', 'validUntil', 'url', 'rating']) {
      const s = str(o, k, 300);
      if (s !== null) out[k] = s;
    }
    return out as unknown as Certificate;
  });
}

/** Parses the body of `POST /trace/api/orgs`. */
export function parseOrgInput(body: unknown): OrgInput {
  const o = obj(body, 'the organisation');
  only(o, ['code', 'name', 'kind', 'gln', 'address', 'lat', 'lon', 'certificates'], 'organisation');
  const code = str(o, 'code', 40, true);
  if (!ORG_CODE.test(code)) throw new AppError('INVALID_ENTITY', '"code" must be 2-40 characters of a-z, 0-9 and inner hyphens');
  const kind = str(o, 'kind', 20, true);
  if (!(ORG_KINDS as readonly string[]).includes(kind)) throw new AppError('INVALID_ENTITY', `"kind" must be one of ${ORG_KINDS.join(', ')}`);
  return {
    code,
    name: str(o, 'name', 200, true),
    kind: kind as OrgKind,
    gln: glnOf(str(o, 'gln', 13)),
    address: str(o, 'address', 300),
    lat: num(o, 'lat', -90, 90),
    lon: num(o, 'lon', -180, 180),
    certificates: certificates(o.certificates),
  };
}

/** Parses `PUT /trace/api/products/{gtin}`. */
export function parseProductInput(body: unknown): { name: string; nameEn: string | null; description: string | null; category: string | null; imageUrl: string | null; ownerOrg: string | null } {
  const o = obj(body, 'the product');
  only(o, ['name', 'nameEn', 'description', 'category', 'imageUrl', 'ownerOrg'], 'product');
  return {
    name: str(o, 'name', 200, true),
    nameEn: str(o, 'nameEn', 200),
    description: str(o, 'description', 2000),
    category: str(o, 'category', 60),
    imageUrl: str(o, 'imageUrl', 500),
    ownerOrg: str(o, 'ownerOrg', 40),
  };
}

/** Parses `PUT /trace/api/locations/{gln}`. */
export function parseLocationInput(body: unknown): { name: string; address: string | null; lat: number | null; lon: number | null; org: string | null } {
  const o = obj(body, 'the location');
  only(o, ['name', 'address', 'lat', 'lon', 'org'], 'location');
  return { name: str(o, 'name', 200, true), address: str(o, 'address', 300), lat: num(o, 'lat', -90, 90), lon: num(o, 'lon', -180, 180), org: str(o, 'org', 40) };
}
