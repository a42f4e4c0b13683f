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

test('MQTT and NATS: defaults, explicit values, bad values listed together', () => {
  const d = loadConfig({});
  assert.equal(d.mqttPort, null, 'unset MQTT_PORT means 1883 or the next free port');
  assert.equal(d.mqttEnabled, true);
  assert.equal(d.mqttWsPath, '/mqtt');
  assert.equal(d.mqttUrl, null);
  assert.equal(d.mqttTopicPrefix, '');
  assert.equal(d.natsUrl, null);
  assert.equal(d.pgSchema, null);
  const c = loadConfig({ MQTT_PORT: '1884', MQTT_WS_PATH: 'off', MQTT_URL: 'mqtt://127.0.0.1:1883', MQTT_TOPIC_PREFIX: 'run42', NATS_URL: 'nats://127.0.0.1:4222', CANTHO_PG_SCHEMA: 't_abc' });
  assert.equal(c.mqttPort, 1884);
  assert.equal(c.mqttWsPath, null);
  assert.equal(c.mqttUrl, 'mqtt://127.0.0.1:1883');
  assert.equal(c.mqttTopicPrefix, 'run42/');
  assert.equal(c.natsUrl, 'nats://127.0.0.1:4222');
  assert.equal(c.pgSchema, 't_abc');
  assert.equal(loadConfig({}, ['--mqtt-port', '1999']).mqttPort, 1999);
  try {
    loadConfig({ MQTT_PORT: '70000', MQTT_URL: 'http://x', NATS_URL: 'x', CANTHO_PG_SCHEMA: 'Bad-Name', MQTT_TOPIC_PREFIX: 'a/#', MQTT_ENABLED: 'maybe' });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 6, e.message);
  }
});

test('traceability settings are part of the one parsed configuration (details: src/trace/trace.config.test.ts)', () => {
  assert.equal(loadConfig({}).trace.checkpointMs, 500);
  assert.throws(() => loadConfig({ CANTHO_TRACE_CHECKPOINT_MS: '0' }), ConfigError);
});

test('CANTHO_TRUST_PROXY: none by default; addresses, CIDR ranges and proxy-addr names; anything else listed', () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.deepEqual(loadConfig({ CANTHO_TRUST_PROXY: ' 127.0.0.1, 10.0.0.0/8,::1,fd00::/8 ,loopback' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
  try {
    loadConfig({ CANTHO_TRUST_PROXY: 'proxy.local,10.0.0.0/33,1.2.3.4/8/9,127.0.0.1' });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(
      e.problems.map((p) => /"([^"]+)"/.exec(p)?.[1]),
      ['proxy.local', '10.0.0.0/33', '1.2.3.4/8/9'],
    );
  }
});
