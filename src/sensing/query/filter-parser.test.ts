import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import type { Expr } from './ast.ts';
import { PARSER_LIMITS, parseFilter, parseOrderBy } from './filter-parser.ts';

/** A compact rendering of the AST: (op a b), f(args), paths, literals. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      if (v.type === 'null') return 'null';
      if (v.type === 'string') return JSON.stringify(v.value);
      if (v.type === 'boolean' || v.type === 'number') return String(v.value);
      if (v.type === 'geometry') return `geo:${v.wkt}`;
      if (v.type === 'interval') return `${new Date(v.start).toISOString()}/${new Date(v.end).toISOString()}`;
      if (v.type === 'datetime') return new Date(v.ms).toISOString();
      return `${v.type}:${v.ms}`;
    }
    case 'path':
      return e.segments.map((s) => s.name + s.indexes.map((i) => `[${i}]`).join('')).join('/');
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'binary':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'not':
      return `(not ${show(e.operand)})`;
    case 'negate':
      return `(- ${show(e.operand)})`;
  }
}

const p = (s: string) => show(parseFilter(s));
const fails = (s: string, code: string, re: RegExp) =>
  assert.throws(() => parseFilter(s), (e: unknown) => e instanceof AppError && e.code === code && e.status < 500 && re.test(e.message), s);

describe('$filter parser', () => {
  test('precedence: or < and < not < comparison < additive < multiplicative < unary', () => {
    assert.equal(p('a eq 1 or b eq 2 and c eq 3'), '(or (eq a 1) (and (eq b 2) (eq c 3)))');
    assert.equal(p('not a eq 1 and b'), '(and (not (eq a 1)) b)');
    assert.equal(p('a add b mul c sub d eq 1'), '(eq (sub (add a (mul b c)) d) 1)');
    assert.equal(p('a div b mod c'), '(mod (div a b) c)');
    assert.equal(p('(a or b) and c'), '(and (or a b) c)');
    assert.equal(p('-a add -2'), '(add (- a) -2)');
    assert.equal(p('not not a'), '(not (not a))');
    assert.equal(p('a EQ 1 AND b Ne 2'), '(and (eq a 1) (ne b 2))');
  });

  test('literals', () => {
    assert.equal(p("name eq 'it''s'"), `(eq name "it's")`);
    assert.equal(p('x eq 42 or x eq 4.5 or x eq 1e3 or x eq 2.5E-2'), '(or (or (or (eq x 42) (eq x 4.5)) (eq x 1000)) (eq x 0.025))');
    assert.equal(p('x eq true or x eq FALSE or x eq null'), '(or (or (eq x true) (eq x false)) (eq x null))');
    assert.equal(p('t eq 2020-01-01T00:00:00Z'), '(eq t 2020-01-01T00:00:00.000Z)');
    assert.equal(p('t eq 2020-01-01T07:00:00.5+07:00'), '(eq t 2020-01-01T00:00:00.500Z)');
    assert.equal(p('t eq 2020-01-01T00:00Z'), '(eq t 2020-01-01T00:00:00.000Z)');
    assert.equal(p('t eq 2020-01-01T00:00:00.123456789-01:30'), '(eq t 2020-01-01T01:30:00.123Z)');
    assert.equal(p('t eq 2020-01-01T00:00:00Z/2020-01-02T00:00:00Z'), '(eq t 2020-01-01T00:00:00.000Z/2020-01-02T00:00:00.000Z)');
    assert.equal(p('d eq 2020-02-29'), `(eq d date:${Date.UTC(2020, 1, 29)})`);
    assert.equal(p('d eq 13:14:15.5'), `(eq d timeofday:${(13 * 3600 + 14 * 60 + 15) * 1000 + 500})`);
    assert.equal(p("d eq duration'P1DT2H3M4.5S'"), `(eq d duration:${((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 500})`);
    assert.equal(p("d eq duration'-PT1S'"), '(eq d duration:-1000)');
    assert.equal(p("st_within(location, geography'POINT (1 2)')"), 'st_within(location, geo:POINT (1 2))');
    assert.equal(p("st_within(location, geometry'SRID=4326;POINT(1 2)')"), 'st_within(location, geo:POINT (1 2))');
    const n = parseFilter('x eq 9007199254740993');
    assert.equal(n.kind === 'binary' && n.right.kind === 'literal' && n.right.value.type === 'number' && n.right.value.integer, false);
  });

  test('paths, JSON indexes and function calls', () => {
    assert.equal(p("Datastream/Thing/name eq 'x'"), '(eq Datastream/Thing/name "x")');
    assert.equal(p('properties/list[0][12]/a eq 1'), '(eq properties/list[0][12]/a 1)');
    assert.equal(p('@iot.id eq 1 and Thing/@iot.id eq 2'), '(and (eq @iot.id 1) (eq Thing/@iot.id 2))');
    assert.equal(p('properties/tên eq 1'), '(eq properties/tên 1)');
    assert.equal(p("substring(name, 1, 2) eq 'a'"), '(eq substring(name, 1, 2) "a")');
    assert.equal(p("GEO.DISTANCE(location, 'POINT(1 2)') lt 1"), '(lt geo.distance(location, "POINT(1 2)") 1)');
    assert.equal(p('now() gt t'), '(gt now() t)');
    assert.equal(p('not/x eq 1'), '(eq not/x 1)');
  });

  test('$orderby', () => {
    const o = parseOrderBy("name desc, geo.distance(location, geography'POINT(1 2)'), id ASC");
    assert.deepEqual(
      o.map((i) => [show(i.expr), i.direction]),
      [
        ['name', 'desc'],
        ['geo.distance(location, geo:POINT (1 2))', 'asc'],
        ['id', 'asc'],
      ],
    );
    assert.throws(() => parseOrderBy('name sideways'), (e: unknown) => e instanceof AppError && e.code === 'INVALID_ORDERBY' && /unexpected "sideways" at character 6/.test(e.message));
    assert.throws(() => parseOrderBy(''), (e: unknown) => e instanceof AppError && e.code === 'INVALID_ORDERBY');
    assert.throws(() => parseOrderBy('a,'), (e: unknown) => e instanceof AppError && e.code === 'INVALID_ORDERBY');
  });

  test('errors name the problem and the position', () => {
    fails('', 'INVALID_FILTER', /empty/);
    fails("name eq 'abc", 'INVALID_FILTER', /unterminated string literal at character 9/);
    fails('name eq', 'INVALID_FILTER', /expected a value but found the end at character 8/);
    fails('name eq 1)', 'INVALID_FILTER', /unexpected "\)" at character 10/);
    fails('(name eq 1', 'INVALID_FILTER', /expected "\)" to close the parenthesis/);
    fails('foo(1)', 'INVALID_FILTER', /unknown function "foo" at character 1/);
    fails("length('a', 'b') eq 1", 'INVALID_FILTER', /length\(\) takes 1 argument, not 2/);
    fails('substring(name) eq 1', 'INVALID_FILTER', /takes 2 to 3 arguments/);
    fails('eq eq 1', 'INVALID_FILTER', /expected a value but found the operator "eq"/);
    fails('name eq 5abc', 'INVALID_FILTER', /unexpected "a" after a literal/);
    fails('t eq 2020-13-01T00:00:00Z', 'INVALID_FILTER', /invalid date\/time/);
    fails('t eq 2021-02-29', 'INVALID_FILTER', /invalid date/);
    fails('t eq 25:00:00', 'INVALID_FILTER', /invalid time of day/);
    fails('t eq 2020-01-02T00:00:00Z/2020-01-01T00:00:00Z', 'INVALID_FILTER', /ends before it starts/);
    fails("d eq duration'P1Y'", 'INVALID_FILTER', /years and months have no fixed length/);
    fails("d eq duration'xyz'", 'INVALID_FILTER', /not an ISO 8601 duration/);
    fails("x eq blob'00'", 'INVALID_FILTER', /unknown literal prefix "blob"/);
    fails('x eq 1e999', 'INVALID_FILTER', /out of range/);
    fails('properties/a[x] eq 1', 'INVALID_FILTER', /array index/);
    fails('a..b eq 1', 'INVALID_FILTER', /invalid name/);
    fails('x eq #', 'INVALID_FILTER', /unexpected character "#" at character 6/);
    fails("x eq 'a\u0000'", 'INVALID_FILTER', /NUL/);
    fails(`x eq '\ud800'`, 'INVALID_FILTER', /invalid Unicode/);
    fails("st_within(location, geography'POINT(1)')", 'INVALID_GEOMETRY', /2 or 3 numbers.*character 21/);
  });

  test('limits: length, nesting, height and size never overflow the stack', () => {
    fails(`x eq '${'a'.repeat(PARSER_LIMITS.maxLength)}'`, 'INVALID_FILTER', /longer than 8192/);
    fails(`${'('.repeat(60)}x${')'.repeat(60)}`, 'INVALID_FILTER', /nesting deeper than 50/);
    fails(`${'not '.repeat(60)}x`, 'INVALID_FILTER', /nesting deeper than 50/);
    fails(`${'-'.repeat(60)}x`, 'INVALID_FILTER', /nesting deeper than 50/);
    fails(`x${' add 1'.repeat(300)} eq 1`, 'INVALID_FILTER', /nested deeper than 200/);
    const tree = (d: number): string => (d === 0 ? 'a' : `(${tree(d - 1)} or ${tree(d - 1)})`);
    fails(tree(10), 'QUERY_TOO_COSTLY', /more than 1000 terms/);
    assert.equal(parseFilter(tree(8)).kind, 'binary');
    assert.equal(parseFilter(`${'('.repeat(40)}x${')'.repeat(40)}`).kind, 'path');
    for (const s of ['(((((', "'", 'f(', 'a/', 'a[', '[1]', 'geo.distance(', ')))', 'not', '-', ',', '/x']) {
      assert.throws(() => parseFilter(s), (e: unknown) => e instanceof AppError && e.status === 400, s);
    }
  });
});
