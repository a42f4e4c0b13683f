import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../core/errors.ts';
import { parseResourcePath } from './path-parser.ts';

test('collections, entities, navigation, properties, $value, $ref', () => {
  assert.equal(parseResourcePath('Things').single, false);
  assert.equal(parseResourcePath('Things(1)').single, true);
  const nav = parseResourcePath('Things(1)/Datastreams(2)/Observations');
  assert.equal(nav.entity.name, 'Observation');
  assert.equal(nav.segments.length, 3);
  assert.equal(parseResourcePath('Datastreams(1)/Thing').single, true);
  const prop = parseResourcePath('Things(1)/name/$value');
  assert.equal(prop.property?.name, 'name');
  assert.equal(prop.value, true);
  assert.equal(parseResourcePath('Datastreams(1)/Observations/$ref').ref, true);
});

test('bad paths are 400 or 404, never a crash', () => {
  const code = (p: string) => {
    try {
      parseResourcePath(p);
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof AppError);
      return e.code;
    }
  };
  assert.equal(code('Nothing'), 'NOT_FOUND');
  assert.equal(code('Things/Datastreams'), 'INVALID_PATH');
  assert.equal(code("Things('a')"), 'INVALID_PATH');
  assert.equal(code('Things(1)/bogus'), 'NOT_FOUND');
  assert.equal(code('Things(1)/name/description'), 'INVALID_PATH');
  assert.equal(code('Datastreams(1)/Thing(2)'), 'INVALID_PATH');
  assert.equal(code('$value'), 'INVALID_PATH');
  assert.equal(code('Things(1)/%E0%A4%A'), 'INVALID_PATH');
});
