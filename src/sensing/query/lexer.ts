import { AppError, type ErrorCode } from '../../core/errors.ts';
import { parseGeometryLiteral } from '../geo/geometry-ops.ts';
import type { Literal } from './ast.ts';
import { DATE_RE, DATETIME_RE, TIME_RE, dateFromMatch, datetimeFromMatch, parseDuration, timeOfDayFromMatch } from './literals.ts';

/** Tokens of $filter / $orderby. `pos` is the 1-based offset of the token's first character. */
export type Token =
  | { readonly k: 'ident'; readonly text: string; readonly pos: number }
  | { readonly k: 'literal'; readonly value: Literal; readonly pos: number }
  | { readonly k: 'number'; readonly text: string; readonly pos: number }
  | { readonly k: 'punct'; readonly text: '(' | ')' | ',' | '/' | '[' | ']' | '-'; readonly pos: number }
  | { readonly k: 'eof'; readonly pos: number };

const WS = /[ \t\r\n]+/y;
const IDENT = /[\p{L}_@][\p{L}\p{N}_.@]*/uy;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const PUNCT = new Set(['(', ')', ',', '/', '[', ']', '-']);

export class Lexer {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly code: ErrorCode,
  ) {}

  fail(msg: string, pos: number): never {
    throw new AppError(this.code, `${msg} at character ${pos}`);
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.i;
    return re.exec(this.s);
  }

  /** All tokens, ending with eof. */
  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const t = this.next();
      out.push(t);
      if (t.k === 'eof') return out;
    }
  }

  private next(): Token {
    const ws = this.match(WS);
    if (ws) this.i += ws[0].length;
    const pos = this.i + 1;
    if (this.i >= this.s.length) return { k: 'eof', pos };
    const c = this.s[this.i]!;
    if (c === "'") return { k: 'literal', value: { type: 'string', value: this.quoted(pos) }, pos };
    if (c >= '0' && c <= '9') return this.numeric(pos);
    if (PUNCT.has(c)) {
      this.i++;
      return { k: 'punct', text: c as '(', pos };
    }
    const id = this.match(IDENT);
    if (!id) this.fail(`unexpected character ${JSON.stringify(c)}`, pos);
    this.i += id[0].length;
    if (this.s[this.i] === "'") return this.prefixed(id[0], pos);
    return { k: 'ident', text: id[0], pos };
  }

  /** A single-quoted string; `''` stands for one quote. */
  private quoted(pos: number): string {
    let out = '';
    let j = this.i + 1;
    for (;;) {
      const q = this.s.indexOf("'", j);
      if (q < 0) this.fail('unterminated string literal', pos);
      out += this.s.slice(j, q);
      if (this.s[q + 1] === "'") {
        out += "'";
        j = q + 2;
        continue;
      }
      this.i = q + 1;
      return out;
    }
  }

  private prefixed(prefix: string, pos: number): Token {
    const body = this.quoted(this.i + 1);
    const p = prefix.toLowerCase();
    if (p === 'geography' || p === 'geometry') {
      let g: ReturnType<typeof parseGeometryLiteral>;
      try {
        g = parseGeometryLiteral(body);
      } catch (e) {
        throw new AppError('INVALID_GEOMETRY', `${(e as Error).message} (in the ${prefix} literal at character ${pos})`);
      }
      return { k: 'literal', value: { type: 'geometry', geometry: g.geometry, wkt: g.wkt }, pos };
    }
    if (p === 'duration') {
      const d = parseDuration(body);
      if ('error' in d) this.fail(d.error, pos);
      return { k: 'literal', value: { type: 'duration', ms: d.ms }, pos };
    }
    return this.fail(`unknown literal prefix ${JSON.stringify(prefix)} (known: geography'…', geometry'…', duration'…')`, pos);
  }

  /** Datetime, interval, date, time of day or number — tried longest first. */
  private numeric(pos: number): Token {
    const dt = this.match(DATETIME_RE);
    if (dt) {
      const ms = datetimeFromMatch(dt);
      if (ms === null) this.fail(`invalid date/time ${JSON.stringify(dt[0])}`, pos);
      this.i += dt[0].length;
      if (this.s[this.i] === '/') {
        this.i++;
        const end = this.match(DATETIME_RE);
        const endMs = end ? datetimeFromMatch(end) : null;
        if (!end || endMs === null) this.fail('an interval is start/end with two ISO 8601 date-times', pos);
        this.i += end[0].length;
        if (endMs < ms) this.fail('the interval ends before it starts', pos);
        return this.checkEnd({ k: 'literal', value: { type: 'interval', start: ms, end: endMs }, pos });
      }
      return this.checkEnd({ k: 'literal', value: { type: 'datetime', ms }, pos });
    }
    const d = this.match(DATE_RE);
    if (d) {
      const ms = dateFromMatch(d);
      if (ms === null) this.fail(`invalid date ${JSON.stringify(d[0])}`, pos);
      this.i += d[0].length;
      return this.checkEnd({ k: 'literal', value: { type: 'date', ms }, pos });
    }
    const t = this.match(TIME_RE);
    if (t) {
      const ms = timeOfDayFromMatch(t);
      if (ms === null) this.fail(`invalid time of day ${JSON.stringify(t[0])}`, pos);
      this.i += t[0].length;
      return this.checkEnd({ k: 'literal', value: { type: 'timeofday', ms }, pos });
    }
    const n = this.match(NUMBER)!;
    this.i += n[0].length;
    return this.checkEnd({ k: 'number', text: n[0], pos });
  }

  /** A literal must not run into a name (`5abc`, `2020-01-01T00:00Zfoo`). */
  private checkEnd(t: Token): Token {
    const c = this.s[this.i];
    if (c !== undefined && /[\p{L}\p{N}_.@:]/u.test(c)) this.fail(`unexpected ${JSON.stringify(c)} after a literal`, this.i + 1);
    return t;
  }
}
