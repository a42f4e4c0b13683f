import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { BinaryOp, Expr, Literal, OrderByItem, PathSegment } from './ast.ts';
import { functionSpec } from './functions.ts';
import { Lexer, type Token } from './lexer.ts';

export type { BinaryOp, ComparisonOp, ArithmeticOp, LogicalOp, Expr, Literal, OrderByItem, PathSegment } from './ast.ts';

/**
 * Recursive-descent parser for $filter (OGC 18-088 §9.3.3.5) and $orderby (§9.3.3.2).
 *
 * Precedence, loosest first: `or`, `and`, `not`, comparisons (eq ne gt ge lt le), additive
 * (add sub), multiplicative (mul div mod), unary minus, primary. `not` binds looser than a
 * comparison, so `not name eq 'a'` means `not (name eq 'a')`. Binary operators associate left.
 *
 * Defensive by construction: the text is bounded (8 KiB), recursion depth is bounded (50
 * nested parentheses / calls / prefix operators), the tree height is bounded (200) and the number
 * of nodes is bounded (1000), so no input can overflow the stack or make compilation explode.
 * Every failure is an AppError (INVALID_FILTER / INVALID_ORDERBY, INVALID_GEOMETRY for bad WKT,
 * QUERY_TOO_COSTLY for too many terms) naming the character position.
 */

export const PARSER_LIMITS = { maxLength: 8192, maxDepth: 50, maxHeight: 200, maxNodes: 1000 } as const;

const KEYWORD_OPS: Record<string, BinaryOp> = {
  or: 'or', and: 'and', eq: 'eq', ne: 'ne', gt: 'gt', ge: 'ge', lt: 'lt', le: 'le', add: 'add', sub: 'sub', mul: 'mul', div: 'div', mod: 'mod',
};
const LEVELS: readonly (readonly BinaryOp[])[] = [['or'], ['and'], [], ['eq', 'ne', 'gt', 'ge', 'lt', 'le'], ['add', 'sub'], ['mul', 'div', 'mod']];
const NOT_LEVEL = 2;
const RESERVED = new Set([...Object.keys(KEYWORD_OPS), 'not', 'asc', 'desc']);

class Parser {
  private i = 0;
  private depth = 0;
  private nodes = 0;
  private readonly height = new WeakMap<Expr, number>();
  private readonly toks: Token[];

  constructor(
    text: string,
    private readonly code: ErrorCode,
    private readonly what: string,
  ) {
    if (typeof text !== 'string') throw new AppError(code, `${what} must be text`);
    if (text.length > PARSER_LIMITS.maxLength) throw new AppError(code, `${what} is longer than ${PARSER_LIMITS.maxLength} characters`);
    if (/\0|\p{Cs}/u.test(text)) throw new AppError(code, `${what} contains a NUL character or invalid Unicode`);
    this.toks = new Lexer(text, code).tokens();
    if (this.peek().k === 'eof') throw new AppError(code, `${what} is empty`);
  }

  private peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)]!;
  }
  private fail(msg: string, t: Token = this.peek()): never {
    throw new AppError(this.code, `${this.what}: ${msg} at character ${t.pos}`);
  }
  private describe(t: Token): string {
    if (t.k === 'eof') return 'the end';
    if (t.k === 'ident' || t.k === 'number' || t.k === 'punct') return JSON.stringify(t.text);
    return `a ${t.value.type} literal`;
  }
  private punct(text: string): boolean {
    const t = this.peek();
    return t.k === 'punct' && t.text === text;
  }
  private expectPunct(text: string, ctx: string): void {
    if (!this.punct(text)) this.fail(`expected "${text}" ${ctx} but found ${this.describe(this.peek())}`);
    this.i++;
  }
  private keyword(): string | undefined {
    const t = this.peek();
    return t.k === 'ident' ? t.text.toLowerCase() : undefined;
  }

  /** Registers a node: counts it and checks the tree height. */
  private node<E extends Expr>(e: E, ...children: Expr[]): E {
    if (++this.nodes > PARSER_LIMITS.maxNodes) {
      throw new AppError('QUERY_TOO_COSTLY', `${this.what} has more than ${PARSER_LIMITS.maxNodes} terms`);
    }
    const h = 1 + Math.max(0, ...children.map((c) => this.height.get(c) ?? 1));
    if (h > PARSER_LIMITS.maxHeight) this.fail(`expression nested deeper than ${PARSER_LIMITS.maxHeight} levels`);
    this.height.set(e, h);
    return e;
  }

  private enter(): void {
    if (++this.depth > PARSER_LIMITS.maxDepth) this.fail(`nesting deeper than ${PARSER_LIMITS.maxDepth} levels`);
  }

  expr(level = 0): Expr {
    if (level === NOT_LEVEL) {
      const after = this.peek(1);
      if (this.keyword() === 'not' && !(after.k === 'punct' && after.text === '/')) {
        const t = this.peek();
        this.i++;
        this.enter();
        try {
          const operand = this.expr(NOT_LEVEL);
          return this.node({ kind: 'not', pos: t.pos, operand }, operand);
        } finally {
          this.depth--;
        }
      }
      return this.expr(level + 1);
    }
    if (level >= LEVELS.length) return this.unary();
    let left = this.expr(level + 1);
    const ops = LEVELS[level]!;
    for (;;) {
      const kw = this.keyword();
      const op = kw !== undefined ? KEYWORD_OPS[kw] : undefined;
      if (!op || !ops.includes(op)) return left;
      const t = this.peek();
      this.i++;
      const right = this.expr(level + 1);
      left = this.node({ kind: 'binary', pos: t.pos, op, left, right }, left, right);
    }
  }

  private unary(): Expr {
    if (this.punct('-')) {
      const t = this.peek();
      this.i++;
      const n = this.peek();
      if (n.k === 'number') {
        this.i++;
        return this.node({ kind: 'literal', pos: t.pos, value: this.number(n, true) });
      }
      this.enter();
      try {
        const operand = this.unary();
        return this.node({ kind: 'negate', pos: t.pos, operand }, operand);
      } finally {
        this.depth--;
      }
    }
    return this.primary();
  }

  private number(t: Token & { k: 'number' }, negative: boolean): Literal {
    const v = Number(t.text) * (negative ? -1 : 1);
    if (!Number.isFinite(v)) this.fail(`number ${t.text} is out of range`, t);
    const integer = /^\d+$/.test(t.text) && Number.isSafeInteger(v);
    return { type: 'number', value: Object.is(v, -0) ? 0 : v, integer };
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.k === 'literal') {
      this.i++;
      return this.node({ kind: 'literal', pos: t.pos, value: t.value });
    }
    if (t.k === 'number') {
      this.i++;
      return this.node({ kind: 'literal', pos: t.pos, value: this.number(t, false) });
    }
    if (t.k === 'punct' && t.text === '(') {
      this.i++;
      this.enter();
      try {
        const e = this.expr(0);
        this.expectPunct(')', 'to close the parenthesis');
        return e;
      } finally {
        this.depth--;
      }
    }
    if (t.k !== 'ident') this.fail(`expected a value but found ${this.describe(t)}`);
    const next = this.peek(1);
    if (next.k === 'punct' && next.text === '(') return this.call(t);
    const lower = t.text.toLowerCase();
    const slash = next.k === 'punct' && next.text === '/';
    if (!slash && (lower === 'true' || lower === 'false')) {
      this.i++;
      return this.node({ kind: 'literal', pos: t.pos, value: { type: 'boolean', value: lower === 'true' } });
    }
    if (!slash && lower === 'null') {
      this.i++;
      return this.node({ kind: 'literal', pos: t.pos, value: { type: 'null' } });
    }
    return this.path();
  }

  private call(t: Token & { k: 'ident' }): Expr {
    const name = t.text.toLowerCase();
    const spec = functionSpec(name);
    if (!spec) this.fail(`unknown function ${JSON.stringify(t.text)}`, t);
    this.i += 2;
    const args: Expr[] = [];
    this.enter();
    try {
      if (!this.punct(')')) {
        args.push(this.expr(0));
        while (this.punct(',')) {
          this.i++;
          args.push(this.expr(0));
        }
      }
      this.expectPunct(')', `to close ${name}(`);
    } finally {
      this.depth--;
    }
    if (args.length < spec.min || args.length > spec.max) {
      const n = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
      this.fail(`${name}() takes ${n} argument${spec.max === 1 ? '' : 's'}, not ${args.length}`, t);
    }
    return this.node({ kind: 'call', pos: t.pos, name, args }, ...args);
  }

  private path(): Expr {
    const start = this.peek();
    const segments: PathSegment[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k !== 'ident') this.fail(`expected a property name but found ${this.describe(t)}`);
      const slash = this.peek(1).k === 'punct' && (this.peek(1) as { text: string }).text === '/';
      if (segments.length === 0 && !slash && RESERVED.has(t.text.toLowerCase())) this.fail(`expected a value but found the operator "${t.text}"`);
      if (/^\.|\.$|\.\./.test(t.text)) this.fail(`invalid name ${JSON.stringify(t.text)}`, t);
      this.i++;
      const indexes: number[] = [];
      while (this.punct('[')) {
        this.i++;
        const n = this.peek();
        if (n.k !== 'number' || !/^\d{1,9}$/.test(n.text)) this.fail('expected an array index (0, 1, ...) inside [ ]');
        this.i++;
        indexes.push(Number(n.text));
        this.expectPunct(']', 'after the array index');
      }
      segments.push({ name: t.text, indexes });
      if (segments.length > 32) this.fail('property path longer than 32 steps', t);
      if (!this.punct('/')) break;
      this.i++;
    }
    return this.node({ kind: 'path', pos: start.pos, segments });
  }

  end(): void {
    const t = this.peek();
    if (t.k !== 'eof') this.fail(`unexpected ${this.describe(t)}`);
  }

  orderItem(): OrderByItem {
    const expr = this.expr(0);
    const kw = this.keyword();
    if (kw === 'asc' || kw === 'desc') {
      this.i++;
      return { expr, direction: kw };
    }
    return { expr, direction: 'asc' };
  }

  atComma(): boolean {
    if (!this.punct(',')) return false;
    this.i++;
    return true;
  }
}

/** Parses a $filter expression. Throws AppError only. */
export function parseFilter(text: string): Expr {
  return guard('INVALID_FILTER', () => {
    const p = new Parser(text, 'INVALID_FILTER', '$filter');
    const e = p.expr(0);
    p.end();
    return e;
  });
}

/** Parses an $orderby list: comma-separated expressions, each optionally `asc` or `desc`. */
export function parseOrderBy(text: string): OrderByItem[] {
  return guard('INVALID_ORDERBY', () => {
    const p = new Parser(text, 'INVALID_ORDERBY', '$orderby');
    const items = [p.orderItem()];
    while (p.atComma()) items.push(p.orderItem());
    p.end();
    if (items.length > 32) throw new AppError('QUERY_TOO_COSTLY', '$orderby has more than 32 items');
    return items;
  });
}

/** Last line of defence: anything but AppError (a bug) becomes a 400 rather than a crash. */
function guard<T>(code: ErrorCode, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof RangeError) throw new AppError('QUERY_TOO_COSTLY', 'The expression is too complex to process');
    throw new AppError(code, `Could not parse the expression: ${(e as Error)?.message ?? String(e)}`);
  }
}
