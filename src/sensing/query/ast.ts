import type { GeoJsonGeometry } from '../geo/geojson.ts';

/**
 * The abstract syntax of `$filter` / `$orderby` (OGC 18-088 §9.3.3.5, OData 4.0 URL conventions
 * §5.1.1). Positions are 1-based character offsets into the query text, for error messages.
 */
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type LogicalOp = 'and' | 'or';
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'mod';
export type BinaryOp = ComparisonOp | LogicalOp | ArithmeticOp;

export type Literal =
  | { readonly type: 'null' }
  | { readonly type: 'boolean'; readonly value: boolean }
  /** `integer` when written without fraction/exponent and safely representable. */
  | { readonly type: 'number'; readonly value: number; readonly integer: boolean }
  | { readonly type: 'string'; readonly value: string }
  /** Instants as epoch milliseconds UTC (sub-millisecond digits are cut). */
  | { readonly type: 'datetime'; readonly ms: number }
  /** A calendar date (`2020-01-31`): epoch ms of its UTC midnight. */
  | { readonly type: 'date'; readonly ms: number }
  /** A time of day (`12:30:00`): ms since midnight. */
  | { readonly type: 'timeofday'; readonly ms: number }
  /** `duration'P1DT2H'`: milliseconds (weeks, days, hours, minutes, seconds only). */
  | { readonly type: 'duration'; readonly ms: number }
  /** `2020-01-01T00:00:00Z/2020-01-02T00:00:00Z`: start and end epoch ms. */
  | { readonly type: 'interval'; readonly start: number; readonly end: number }
  /** `geography'POINT(1 2)'` / `geometry'…'`: parsed and validated WKT. */
  | { readonly type: 'geometry'; readonly geometry: GeoJsonGeometry; readonly wkt: string };

/** One step of a property path: a name plus optional JSON array indexes (`list[0][2]`). */
export interface PathSegment {
  readonly name: string;
  readonly indexes: readonly number[];
}

export type Expr =
  | { readonly kind: 'literal'; readonly pos: number; readonly value: Literal }
  | { readonly kind: 'path'; readonly pos: number; readonly segments: readonly PathSegment[] }
  /** `name` is lower-case canonical (`geo.distance`, `startswith`, ...). */
  | { readonly kind: 'call'; readonly pos: number; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'binary'; readonly pos: number; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly pos: number; readonly operand: Expr }
  | { readonly kind: 'negate'; readonly pos: number; readonly operand: Expr };

export interface OrderByItem {
  readonly expr: Expr;
  readonly direction: 'asc' | 'desc';
}

export const COMPARISON_OPS: ReadonlySet<string> = new Set<ComparisonOp>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
export const ARITHMETIC_OPS: ReadonlySet<string> = new Set<ArithmeticOp>(['add', 'sub', 'mul', 'div', 'mod']);

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return COMPARISON_OPS.has(op);
}
export function isArithmetic(op: BinaryOp): op is ArithmeticOp {
  return ARITHMETIC_OPS.has(op);
}

/** Path text as written (`Datastream/Thing/name`, `properties/list[0]`). */
export function pathText(segments: readonly PathSegment[]): string {
  return segments.map((s) => s.name + s.indexes.map((i) => `[${i}]`).join('')).join('/');
}
