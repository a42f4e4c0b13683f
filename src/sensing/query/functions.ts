/**
 * The built-in functions of $filter (OGC 18-088 Table 19 / OData 4.0 §5.1.1.4-5.1.1.11) with their
 * arity; names are matched case-insensitively and stored lower-case.
 */
export interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  /** Returns a boolean: the call is a predicate (and a quantification scope for to-many paths). */
  readonly predicate?: boolean;
}

const f = (min: number, max = min, predicate = false): FunctionSpec => ({ min, max, predicate });

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  substringof: f(2, 2, true),
  contains: f(2, 2, true),
  startswith: f(2, 2, true),
  endswith: f(2, 2, true),
  length: f(1),
  indexof: f(2),
  substring: f(2, 3),
  tolower: f(1),
  toupper: f(1),
  trim: f(1),
  concat: f(2, 8),
  year: f(1),
  month: f(1),
  day: f(1),
  hour: f(1),
  minute: f(1),
  second: f(1),
  fractionalseconds: f(1),
  date: f(1),
  time: f(1),
  totaloffsetminutes: f(1),
  now: f(0),
  mindatetime: f(0),
  maxdatetime: f(0),
  round: f(1),
  floor: f(1),
  ceiling: f(1),
  'geo.distance': f(2),
  'geo.length': f(1),
  'geo.intersects': f(2, 2, true),
  st_equals: f(2, 2, true),
  st_disjoint: f(2, 2, true),
  st_touches: f(2, 2, true),
  st_within: f(2, 2, true),
  st_overlaps: f(2, 2, true),
  st_crosses: f(2, 2, true),
  st_intersects: f(2, 2, true),
  st_contains: f(2, 2, true),
  st_relate: f(3, 3, true),
};

export function functionSpec(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}
