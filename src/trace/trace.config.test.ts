import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.ts';
import { generateNoteKeys, SIG_TYPE_COSIGNATURE_V1 } from './log/note-keys.ts';

test('trace configuration: defaults, keys, quorum; bad values listed without echoing secrets', () => {
  const d = loadConfig({}).trace;
  assert.deepEqual({ ...d, workers: 0 }, { logKey: null, logOrigin: null, witnessKeys: [], witnessQuorum: 0, kek: null, checkpointMs: 500, workers: 0 });
  assert.ok(d.workers >= 0 && d.workers <= 4);
  assert.equal(loadConfig({ CANTHO_TRACE_WORKERS: '0' }).trace.workers, 0);
  const log = generateNoteKeys('example.org/trace/log');
  const w = generateNoteKeys('witness.example', SIG_TYPE_COSIGNATURE_V1);
  const c = loadConfig({ CANTHO_TRACE_LOG_KEY: log.signerKey, CANTHO_TRACE_WITNESS_KEYS: w.verifierKey, CANTHO_TRACE_KEK: Buffer.alloc(32, 7).toString('base64'), CANTHO_TRACE_CHECKPOINT_MS: '250' }).trace;
  assert.equal(c.logKey, log.signerKey);
  assert.deepEqual(c.witnessKeys, [w.verifierKey]);
  assert.equal(c.witnessQuorum, 1);
  assert.equal(c.checkpointMs, 250);
  try {
    loadConfig({ CANTHO_TRACE_LOG_KEY: `${log.signerKey}x`, CANTHO_TRACE_WITNESS_KEYS: log.verifierKey, CANTHO_TRACE_KEK: 'short', CANTHO_TRACE_CHECKPOINT_MS: '5000', CANTHO_TRACE_WITNESS_QUORUM: 'two' });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 5, e.message);
    assert.ok(!e.message.includes(log.signerKey.slice(20)), 'the private key is never echoed');
  }
});
