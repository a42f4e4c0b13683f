import { AppError } from '../../core/errors.ts';
import { ENTITY_BY_SET, type EntityDef, type NavDef, type PropDef, navOf, propOf } from '../model/entities.ts';

/** One step of a resource path after the service root (OGC 18-088 §9.2). */
export type PathSegment =
  | { kind: 'set'; entity: EntityDef; id?: number } // Things or Things(1)
  | { kind: 'nav'; nav: NavDef; entity: EntityDef; id?: number }; // .../Datastreams or .../Datastreams(3) or .../Thing

export interface ResourcePath {
  readonly segments: PathSegment[];
  /** Trailing property (`/name`), with `$value` for the raw value. */
  readonly property?: PropDef;
  readonly value?: boolean;
  /** Trailing `$ref` (§9.2.7 association links). */
  readonly ref?: boolean;
  /** The entity type addressed by the last segment. */
  readonly entity: EntityDef;
  /** True when the path addresses a single entity (an id, or a to-one navigation). */
  readonly single: boolean;
}

const SEG_RE = /^([A-Za-z]+)(?:\((\d{1,15})\))?$/;

/**
 * Parses `Things(1)/Datastreams(2)/Observations`, `Things(1)/name/$value`,
 * `Datastreams(1)/Observations/$ref`. Ids are integers (`@iot.id`); quoted ids are rejected.
 */
export function parseResourcePath(raw: string): ResourcePath {
  const parts = raw.split('/').filter((p) => p !== '');
  if (parts.length === 0) throw new AppError('INVALID_PATH', 'Empty resource path');
  if (parts.length > 12) throw new AppError('INVALID_PATH', 'Resource path is too deep');
  const segments: PathSegment[] = [];
  let current: EntityDef | undefined;
  let single = false;
  let property: PropDef | undefined;
  let value = false;
  let ref = false;
  for (let i = 0; i < parts.length; i++) {
    let part: string;
    try {
      part = decodeURIComponent(parts[i]!);
    } catch {
      throw new AppError('INVALID_PATH', `Invalid percent-encoding in "${parts[i]}"`);
    }
    if (part === '$value') {
      if (!property || i !== parts.length - 1) throw new AppError('INVALID_PATH', '$value must follow a property');
      value = true;
      continue;
    }
    if (part === '$ref') {
      if (property || !current || i !== parts.length - 1) throw new AppError('INVALID_PATH', '$ref must end a path to entities');
      ref = true;
      continue;
    }
    if (property) throw new AppError('INVALID_PATH', `Nothing can follow the property "${property.name}"`);
    const m = SEG_RE.exec(part);
    if (!m) throw new AppError('INVALID_PATH', `Invalid path segment "${part}"`);
    const [, name, idText] = m as unknown as [string, string, string | undefined];
    const id = idText === undefined ? undefined : Number(idText);
    if (!current) {
      const entity = ENTITY_BY_SET.get(name);
      if (!entity) throw new AppError('NOT_FOUND', `No entity set "${name}"`);
      segments.push({ kind: 'set', entity, id });
      current = entity;
      single = id !== undefined;
      continue;
    }
    if (!single) throw new AppError('INVALID_PATH', `"${name}" must follow a single entity, e.g. ${current.set}(1)/${name}`);
    const nav = navOf(current, name);
    if (nav) {
      if (nav.kind === 'one' && id !== undefined) throw new AppError('INVALID_PATH', `"${name}" is a single entity; it takes no id`);
      const target = ENTITY_BY_SET.get(setOf(nav.target))!;
      segments.push({ kind: 'nav', nav, entity: target, id });
      current = target;
      single = nav.kind === 'one' || id !== undefined;
      continue;
    }
    const prop = id === undefined ? propOf(current, name) : undefined;
    if (prop) {
      property = prop;
      continue;
    }
    throw new AppError('NOT_FOUND', `${current.name} has no property or navigation "${name}"`);
  }
  return { segments, property, value, ref, entity: current!, single };
}

function setOf(name: string): string {
  for (const e of ENTITY_BY_SET.values()) if (e.name === name) return e.set;
  return name;
}
