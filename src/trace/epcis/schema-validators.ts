import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isDateTimeStamp } from './date-time.ts';
import { escapePointer } from './json-bounds.ts';
import { DOCUMENT_SCHEMA, EVENT_SCHEMAS, QUERY_DOCUMENT_SCHEMA } from './schemas.ts';
import type { EpcisEventType, ValidationIssue } from './types.ts';

/**
 * Compiles the project's EPCIS JSON Schemas once, at module load (validation runs per captured
 * event, so compiling per call would dominate its cost), and turns Ajv's errors into short
 * {path, message} issues that name the field and the rule.
 */

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default ?? addFormatsModule;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
// RFC 3986 'uri' of ajv-formats behind a bounded memo: locations, lot classes and vocabulary URIs
// repeat across the events of a capture, and the full URI regex is the costliest format check.
const uriFormat = addFormats.get('uri') as (s: string) => boolean;
const uriMemo = new Map<string, boolean>();
ajv.addFormat('uri', {
  type: 'string',
  validate: (s: string) => {
    const hit = uriMemo.get(s);
    if (hit !== undefined) return hit;
    const ok = uriFormat(s);
    if (s.length <= 512) {
      if (uriMemo.size >= 20_000) uriMemo.clear();
      uriMemo.set(s, ok);
    }
    return ok;
  },
});
// xsd:dateTimeStamp (zone required). Stricter than RFC 3339 "date-time": 'T' separator only,
// no leap second — the lexical space EPCIS 2.0 uses for all its timestamps.
ajv.addFormat('epcis-date-time', { type: 'string', validate: isDateTimeStamp });

/** Compiled validator per event type. */
export const EVENT_VALIDATORS: Readonly<Record<EpcisEventType, ValidateFunction>> = {
  ObjectEvent: ajv.compile(EVENT_SCHEMAS.ObjectEvent),
  AggregationEvent: ajv.compile(EVENT_SCHEMAS.AggregationEvent),
  TransactionEvent: ajv.compile(EVENT_SCHEMAS.TransactionEvent),
  TransformationEvent: ajv.compile(EVENT_SCHEMAS.TransformationEvent),
  AssociationEvent: ajv.compile(EVENT_SCHEMAS.AssociationEvent),
};

/** Compiled EPCISDocument envelope validator. */
export const DOCUMENT_VALIDATOR: ValidateFunction = ajv.compile(DOCUMENT_SCHEMA);

/** Compiled EPCISQueryDocument envelope validator. */
export const QUERY_DOCUMENT_VALIDATOR: ValidateFunction = ajv.compile(QUERY_DOCUMENT_SCHEMA);

/**
 * Runs `validate` on `data` and returns its errors as issues whose paths are prefixed with
 * `basePath` (the JSON Pointer of `data` inside the whole input).
 */
export function schemaIssues(validate: ValidateFunction, data: unknown, basePath: string): ValidationIssue[] {
  if (validate(data)) return [];
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const issue = toIssue(e, basePath);
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}

function toIssue(e: ErrorObject, basePath: string): ValidationIssue {
  const at = basePath + e.instancePath;
  const params = e.params as Record<string, unknown>;
  const desc = typeof e.parentSchema?.description === 'string' ? e.parentSchema.description : undefined;
  switch (e.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      return { path: `${at}/${escapePointer(name)}`, message: `required property '${name}' is missing` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const open = e.parentSchema?.patternProperties !== undefined;
      const owner = isRecord(e.data) && typeof e.data.type === 'string' ? e.data.type : undefined;
      if (owner && EVENT_FIELD_NAMES.has(name)) {
        return {
          path: `${at}/${escapePointer(name)}`,
          message:
            name === 'persistentDisposition'
              ? `persistentDisposition is not allowed in an ${owner}; EPCIS 2.0 §7.3.6.2.2 permits it in ObjectEvent and TransformationEvent only`
              : `'${name}' is not a field of ${owner} (EPCIS 2.0 §7.4)`,
        };
      }
      return {
        path: `${at}/${escapePointer(name)}`,
        message: open
          ? `unknown property '${name}': not an EPCIS field here, and extensions need a namespaced name (a CURIE such as 'example:${name}' declared in @context, or an absolute IRI)`
          : `property '${name}' is not allowed here`,
      };
    }
    case 'enum':
      return { path: at, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')} (got ${show(e.data)})` };
    case 'const':
      return { path: at, message: `must be '${String(params.allowedValue)}' (got ${show(e.data)})` };
    case 'type':
      return { path: at, message: `must be ${article(String(params.type))} (got ${jsonType(e.data)})` };
    case 'format':
    case 'pattern':
      return { path: at, message: `${desc ?? `must match ${e.keyword} ${String(params.format ?? params.pattern)}`} (got ${show(e.data)})` };
    case 'minItems':
      return { path: at, message: `must have at least ${String(params.limit)} element(s)` };
    case 'uniqueItems':
      return { path: at, message: `must not contain duplicates (elements ${String(params.j)} and ${String(params.i)} are equal)` };
    case 'minLength':
      return { path: at, message: 'must not be empty' };
    case 'minProperties':
      return { path: at, message: 'must not be an empty object' };
    default:
      return { path: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Every property name that some EPCIS event type defines. */
const EVENT_FIELD_NAMES: ReadonlySet<string> = new Set(
  Object.values(EVENT_SCHEMAS).flatMap((schema) => Object.keys(schema.properties as Record<string, unknown>)),
);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function article(types: string): string {
  return types
    .split(',')
    .map((t) => (t === 'array' || t === 'object' ? `an ${t}` : t === 'integer' ? 'an integer' : `a ${t}`))
    .join(' or ');
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  return jsonType(v);
}
