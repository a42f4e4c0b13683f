import { AppError } from '../../core/errors.ts';

/** Query options of one level (§9.3), with $filter/$orderby kept as text for the planner. */
export interface QueryOptions {
  top?: number;
  skip?: number;
  count?: boolean;
  filter?: string;
  orderby?: string;
  select?: string[];
  expand?: ExpandItem[];
  resultFormat?: 'dataArray';
}

/** `$expand=Datastreams/Observations($top=1)`: a navigation path and the options of its last step. */
export interface ExpandItem {
  path: string[];
  options: QueryOptions;
}

export const MAX_EXPAND_DEPTH = 6;
const KNOWN = new Set(['$top', '$skip', '$count', '$filter', '$orderby', '$select', '$expand', '$resultFormat']);

/** Parses the URL's query string (already split into name → value). Unknown `$` options are 400. */
export function parseQueryOptions(params: URLSearchParams): QueryOptions {
  const opts: Record<string, string> = {};
  for (const [k, v] of params) {
    if (!k.startsWith('$')) continue; // custom options are ignored (OData §5.2)
    if (!KNOWN.has(k)) throw new AppError('INVALID_QUERY_OPTION', `Unknown query option "${k}"`);
    if (k in opts) throw new AppError('INVALID_QUERY_OPTION', `Query option "${k}" is given twice`);
    opts[k] = v;
  }
  return build(opts, 0);
}

function build(o: Record<string, string>, depth: number): QueryOptions {
  const q: QueryOptions = {};
  if (o.$top !== undefined) q.top = nonNegInt('$top', o.$top);
  if (o.$skip !== undefined) q.skip = nonNegInt('$skip', o.$skip);
  if (o.$count !== undefined) {
    if (o.$count !== 'true' && o.$count !== 'false') throw new AppError('INVALID_QUERY_OPTION', '$count must be true or false');
    q.count = o.$count === 'true';
  }
  if (o.$filter !== undefined) q.filter = o.$filter;
  if (o.$orderby !== undefined) q.orderby = o.$orderby;
  if (o.$select !== undefined) {
    const items = o.$select.split(',').map((s) => s.trim());
    // A name, or a path into a JSON property (`properties/code`, `properties/site/district`).
    if (items.some((s) => !/^(@iot\.id|id|[A-Za-z][A-Za-z0-9_]*(\/[^/]+)*)$/.test(s))) {
      throw new AppError('INVALID_SELECT', `Invalid $select "${o.$select}"`);
    }
    q.select = items;
  }
  if (o.$resultFormat !== undefined) {
    if (o.$resultFormat !== 'dataArray') throw new AppError('INVALID_QUERY_OPTION', `Unknown $resultFormat "${o.$resultFormat}"`);
    q.resultFormat = 'dataArray';
  }
  if (o.$expand !== undefined) q.expand = parseExpand(o.$expand, depth);
  return q;
}

function nonNegInt(name: string, v: string): number {
  if (!/^\d{1,9}$/.test(v.trim())) throw new AppError('INVALID_QUERY_OPTION', `${name} must be a non-negative integer, got "${v}"`);
  return Number(v);
}

/** Splits on `sep` at parenthesis depth 0, outside quoted strings. */
export function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quote = !quote;
    else if (quote) continue;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw new AppError('INVALID_EXPAND', `Unbalanced ")" in "${text}"`);
    } else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quote) throw new AppError('INVALID_EXPAND', `Unbalanced parentheses or quotes in "${text}"`);
  out.push(text.slice(start));
  return out;
}

function parseExpand(text: string, depth: number): ExpandItem[] {
  if (text.length > 4096) throw new AppError('INVALID_EXPAND', '$expand is too long');
  const items: ExpandItem[] = [];
  for (const raw of splitTop(text, ',')) {
    const item = raw.trim();
    const open = item.indexOf('(');
    const pathText = open < 0 ? item : item.slice(0, open);
    if (open >= 0 && !item.endsWith(')')) throw new AppError('INVALID_EXPAND', `Invalid $expand item "${item}"`);
    const path = pathText.split('/').map((s) => s.trim());
    if (path.some((p) => !/^[A-Za-z]+$/.test(p))) throw new AppError('INVALID_EXPAND', `Invalid $expand path "${pathText}"`);
    if (depth + path.length > MAX_EXPAND_DEPTH) {
      throw new AppError('EXPAND_TOO_DEEP', `$expand is nested deeper than ${MAX_EXPAND_DEPTH} levels`);
    }
    const inner: Record<string, string> = {};
    if (open >= 0) {
      for (const part of splitTop(item.slice(open + 1, -1), ';')) {
        const eq = part.indexOf('=');
        if (eq < 0) throw new AppError('INVALID_EXPAND', `Invalid option "${part}" in $expand`);
        const k = part.slice(0, eq).trim();
        if (!KNOWN.has(k) || k === '$resultFormat') throw new AppError('INVALID_EXPAND', `Unknown option "${k}" in $expand`);
        inner[k] = part.slice(eq + 1);
      }
    }
    items.push({ path, options: build(inner, depth + path.length) });
  }
  return items;
}
