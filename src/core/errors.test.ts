import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError, ERROR_CODES } from './errors.ts';

test('every error code is documented in docs/api/errors.md with its status', () => {
  const doc = readFileSync(new URL('../../docs/api/errors.md', import.meta.url), 'utf8');
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${status} \\|`), `${code} is missing from docs/api/errors.md`);
  }
});

test('AppError carries the status of its code', () => {
  const e = new AppError('NOT_FOUND');
  assert.equal(e.status, 404);
  assert.equal(e.message, ERROR_CODES.NOT_FOUND.message);
});
