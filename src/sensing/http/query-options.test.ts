import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { parseQueryOptions } from './query-options.ts';

const p = (q: string) => parseQueryOptions(new URLSearchParams(q));

test('parses every option and nested $expand', () => {
  const o = p("$top=5&$skip=2&$count=true&$select=name,id&$orderby=name desc&$filter=name eq 'a;b'&$expand=Datastreams($top=1;$expand=Observations($orderby=phenomenonTime desc;$top=1)),Locations");
  assert.equal(o.top, 5);
  assert.equal(o.skip, 2);
  assert.equal(o.count, true);
  assert.deepEqual(o.select, ['name', 'id']);
  assert.equal(o.expand?.length, 2);
  assert.deepEqual(o.expand?.[0]?.path, ['Datastreams']);
  assert.equal(o.expand?.[0]?.options.top, 1);
  assert.equal(o.expand?.[0]?.options.expand?.[0]?.options.orderby, 'phenomenonTime desc');
  assert.deepEqual(p('$expand=Datastreams/Sensor').expand?.[0]?.path, ['Datastreams', 'Sensor']);
});

test('rejects bad options with 400 codes', () => {
  const code = (q: string) => {
    try {
      p(q);
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.equal(e.status, 400);
      return e.code;
    }
  };
  assert.equal(code('$top=-1'), 'INVALID_QUERY_OPTION');
  assert.equal(code('$top=abc'), 'INVALID_QUERY_OPTION');
  assert.equal(code('$count=yes'), 'INVALID_QUERY_OPTION');
  assert.equal(code('$bogus=1'), 'INVALID_QUERY_OPTION');
  assert.equal(code('$expand=Datastreams($top=1'), 'INVALID_EXPAND');
  assert.equal(code('$expand=A/B/C/D/E/F/G'), 'EXPAND_TOO_DEEP');
  assert.equal(code('$select=na me'), 'INVALID_SELECT');
});
