import { AppError } from '../../core/errors.ts';

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new AppError('BAD_REQUEST', `JSON pointer "${pointer}" must start with "/" (RFC 6901)`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, toks: string[]): [Record<string, unknown> | unknown[], string] {
  let cur: unknown = doc;
  for (const t of toks.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') throw new AppError('BAD_REQUEST', `JSON Patch path does not exist at "${t}"`);
    cur = (cur as Record<string, unknown>)[t];
  }
  if (cur === null || typeof cur !== 'object') throw new AppError('BAD_REQUEST', 'JSON Patch path does not exist');
  return [cur as Record<string, unknown>, toks[toks.length - 1]!];
}

function get(doc: unknown, ptr: string): unknown {
  let cur: unknown = doc;
  for (const t of tokens(ptr)) {
    if (cur === null || typeof cur !== 'object' || !(t in (cur as object))) throw new AppError('BAD_REQUEST', `JSON Patch: nothing at "${ptr}"`);
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

function put(doc: unknown, ptr: string, value: unknown, insert: boolean): void {
  const toks = tokens(ptr);
  if (toks.length === 0) throw new AppError('BAD_REQUEST', 'JSON Patch cannot replace the whole entity');
  const [parent, key] = parentOf(doc, toks);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new AppError('BAD_REQUEST', `JSON Patch: bad array index "${key}"`);
    if (insert) parent.splice(i, 0, value);
    else parent[i] = value;
  } else parent[key] = value;
}

function remove(doc: unknown, ptr: string): void {
  const toks = tokens(ptr);
  const [parent, key] = parentOf(doc, toks);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    if (!(key in parent)) throw new AppError('BAD_REQUEST', `JSON Patch: nothing to remove at "${ptr}"`);
    delete parent[key];
  }
}

/** Applies RFC 6902 operations to a copy of `doc` (§10.3.2 of SensorThings allows JSON Patch). */
export function applyJsonPatch(doc: Record<string, unknown>, ops: JsonPatchOp[]): Record<string, unknown> {
  if (!Array.isArray(ops)) throw new AppError('BAD_REQUEST', 'A JSON Patch body is an array of operations');
  if (ops.length > 1000) throw new AppError('BAD_REQUEST', 'Too many JSON Patch operations');
  const out = structuredClone(doc);
  for (const op of ops) {
    if (!op || typeof op !== 'object' || typeof op.path !== 'string') throw new AppError('BAD_REQUEST', 'Each JSON Patch operation needs "op" and "path"');
    switch (op.op) {
      case 'add':
        put(out, op.path, structuredClone(op.value), true);
        break;
      case 'replace':
        get(out, op.path);
        put(out, op.path, structuredClone(op.value), false);
        break;
      case 'remove':
        remove(out, op.path);
        break;
      case 'move': {
        const v = get(out, op.from ?? '');
        remove(out, op.from ?? '');
        put(out, op.path, v, true);
        break;
      }
      case 'copy':
        put(out, op.path, structuredClone(get(out, op.from ?? '')), true);
        break;
      case 'test':
        if (JSON.stringify(get(out, op.path)) !== JSON.stringify(op.value)) throw new AppError('CONFLICT', `JSON Patch test failed at "${op.path}"`);
        break;
      default:
        throw new AppError('BAD_REQUEST', `Unknown JSON Patch op "${(op as { op: unknown }).op}"`);
    }
  }
  return out;
}
