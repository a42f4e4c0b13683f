import type { ValidationIssue } from './types.ts';

/**
 * Size limits applied to untrusted EPCIS input before any schema or hashing work. JSON Schema
 * engines recurse over the input and extension fields may nest arbitrarily, so an attacker could
 * otherwise make one request cost unbounded CPU, memory or stack.
 */
export interface JsonBounds {
  /** Deepest nesting of objects/arrays (an EPCIS event needs about 6; extensions a few more). */
  maxDepth: number;
  /** Total number of JSON values in the input. */
  maxNodes: number;
  /** Longest string value, in UTF-16 code units. */
  maxStringLength: number;
  /** Longest property name. */
  maxKeyLength: number;
  /** Most elements in one array (e.g. EPCs in one epcList, events in one eventList). */
  maxArrayLength: number;
  /** Most properties in one object. */
  maxObjectKeys: number;
}

/** Defaults sized for capture documents of up to tens of thousands of events. */
export const DEFAULT_JSON_BOUNDS: Readonly<JsonBounds> = Object.freeze({
  maxDepth: 32,
  maxNodes: 2_000_000,
  maxStringLength: 65_536,
  maxKeyLength: 1_024,
  maxArrayLength: 100_000,
  maxObjectKeys: 1_000,
});

/** One open container of the depth-first walk: an array or the keys of an object. */
interface Frame {
  container: Record<string, unknown> | unknown[];
  keys: string[] | undefined;
  next: number;
}

/**
 * Checks that `value` is plain JSON data (null, boolean, finite number, string, array, plain
 * object) within `bounds`. Iterative with one frame per open container, so hostile nesting cannot
 * overflow the stack and leaves cost no allocation; stops at the first violation. Returns [] when
 * the input is acceptable.
 */
export function checkJsonBounds(value: unknown, bounds: Readonly<JsonBounds> = DEFAULT_JSON_BOUNDS): ValidationIssue[] {
  const stack: Frame[] = [];
  let nodes = 0;
  let current: unknown = value;
  for (;;) {
    // Examine `current`, whose location is the keys of the open frames.
    if (++nodes > bounds.maxNodes) return fail(stack, `input has more than ${bounds.maxNodes} JSON values`);
    const problem = leafProblem(current, bounds);
    if (problem === 'container') {
      if (stack.length >= bounds.maxDepth) return fail(stack, `nesting deeper than ${bounds.maxDepth} levels`);
      if (Array.isArray(current)) {
        if (current.length > bounds.maxArrayLength) return fail(stack, `array longer than ${bounds.maxArrayLength} elements`);
        stack.push({ container: current, keys: undefined, next: 0 });
      } else {
        const proto = Object.getPrototypeOf(current);
        if (proto !== Object.prototype && proto !== null) return fail(stack, 'object is not a plain JSON object');
        const keys = Object.keys(current as object);
        if (keys.length > bounds.maxObjectKeys) return fail(stack, `object has more than ${bounds.maxObjectKeys} properties`);
        for (const k of keys) {
          if (k.length > bounds.maxKeyLength) return fail(stack, `property name longer than ${bounds.maxKeyLength} characters`);
        }
        stack.push({ container: current as Record<string, unknown>, keys, next: 0 });
      }
    } else if (problem !== undefined) {
      return fail(stack, problem);
    }
    // Advance to the next unvisited child, closing finished containers.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return [];
      const size = top.keys ? top.keys.length : (top.container as unknown[]).length;
      if (top.next < size) {
        const i = top.next++;
        current = top.keys ? (top.container as Record<string, unknown>)[top.keys[i]!] : (top.container as unknown[])[i];
        break;
      }
      stack.pop();
    }
  }
}

/** undefined if `v` is an acceptable leaf, 'container' for arrays/objects, else the problem. */
function leafProblem(v: unknown, bounds: Readonly<JsonBounds>): string | undefined {
  switch (typeof v) {
    case 'string':
      return v.length > bounds.maxStringLength ? `string longer than ${bounds.maxStringLength} characters` : undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : 'number is not finite (not representable in JSON)';
    case 'boolean':
      return undefined;
    case 'object':
      return v === null ? undefined : 'container';
    default:
      return `value of type ${typeof v} is not JSON`;
  }
}

/** Issue at the location of the value being examined: the current key of each open frame. */
function fail(stack: readonly Frame[], message: string): ValidationIssue[] {
  let path = '';
  for (const f of stack) {
    const i = f.next - 1;
    path += `/${escapePointer(f.keys ? f.keys[i]! : String(i))}`;
  }
  return [{ path, message }];
}

/** Escapes one JSON Pointer reference token (RFC 6901 §3). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
