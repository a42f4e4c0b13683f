import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, redact } from './config.ts';

test('defaults: port 8080, SQLite file, no demo', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, './data/cantho.db');
  assert.equal(c.demo, false);
  assert.equal(c.sqliteSynchronous, 'NORMAL');
  assert.equal(c.publicUrl, null);
});

test('flags override env', () => {
  const c = loadConfig({ PORT: '9000' }, ['--port', '9001', '--demo', '--public-url=https://iot.cantho.gov.vn/']);
  assert.equal(c.port, 9001);
  assert.equal(c.demo, true);
  assert.equal(c.publicUrl, 'https://iot.cantho.gov.vn');
});

test('every bad value is listed at once', () => {
  try {
    loadConfig({ PORT: 'eighty', CANTHO_PUBLIC_URL: 'nope', CANTHO_BOOTSTRAP_ADMIN_KEY: 'short', CANTHO_SQLITE_SYNCHRONOUS: 'OFF' }, ['--bogus']);
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 5, e.message);
    assert.match(e.message, /PORT/);
    assert.match(e.message, /CANTHO_PUBLIC_URL/);
    assert.match(e.message, /CANTHO_BOOTSTRAP_ADMIN_KEY/);
    assert.match(e.message, /CANTHO_SQLITE_SYNCHRONOUS/);
    assert.match(e.message, /--bogus/);
  }
});

test('bootstrap key of 16+ characters is accepted; URLs are redacted in messages', () => {
  assert.equal(loadConfig({ CANTHO_BOOTSTRAP_ADMIN_KEY: 'x'.repeat(16) }).bootstrapAdminKey, 'x'.repeat(16));
  assert.equal(redact('postgres://u:secret@h/db'), 'postgres://u:***@h/db');
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), ConfigError);
});
