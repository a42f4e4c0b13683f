/** Port choice of the embedded broker: a set MQTT_PORT that is taken fails fast; unset moves on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { EmbeddedBroker } from './broker.ts';

const hooks = {
  authenticate: async () => 'anonymous' as const,
  publish: async () => {},
  subscribe: async () => false,
  unsubscribe: () => {},
  sessionEnded: () => {},
  sessionDropped: () => {},
  sessionsAway: () => {},
};

test('MQTT_PORT set and taken: a clear error; unset: 1883 or the next free port', async () => {
  const a = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  const port = await a.start({ port: null, host: '127.0.0.1' });
  assert.ok(port >= 1883 && port <= 1983, String(port));
  const b = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  await assert.rejects(b.start({ port, host: '127.0.0.1' }), new RegExp(`MQTT_PORT ${port} is already in use`));
  await b.close();
  const c = new EmbeddedBroker(hooks, pino({ level: 'silent' }));
  const next = await c.start({ port: null, host: '127.0.0.1' });
  assert.ok(next > 1883 && next !== port, `moved on to ${next}`);
  await Promise.all([a.close(), c.close()]);
});
