import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ed25519Generate, ed25519Sign, ed25519Verify } from '../log/ed25519.ts';
import { captureSignatureBase, formatSignatureHeader, keyIdFor, parseSignatureHeader, sha256Tagged } from './capture-signature.ts';
import { openSeed, sealSeed } from './sealed-seed.ts';

test('signature base and header: documented bytes; parser accepts only canonical shapes', () => {
  const k = ed25519Generate();
  const keyId = keyIdFor('htx-thanh-phu', k.publicKey);
  assert.match(keyId, /^htx-thanh-phu\.[0-9a-f]{16}$/);
  const body = '{"type":"EPCISDocument"}';
  const base = captureSignatureBase(keyId, sha256Tagged(body));
  assert.equal(base, `cantho-capture/v1\nkey ${keyId}\ndigest sha-256:${createHash('sha256').update(body).digest('hex')}\n`);
  const sig = ed25519Sign(k.privateKeyObject, new TextEncoder().encode(base));
  const h = formatSignatureHeader(keyId, sig);
  const parsed = parseSignatureHeader(h);
  assert.ok(typeof parsed !== 'string');
  assert.equal(parsed.keyId, keyId);
  assert.ok(ed25519Verify(k.publicKeyObject, new TextEncoder().encode(base), parsed.signature));
  assert.ok(typeof parseSignatureHeader(`sig=${Buffer.from(sig).toString('base64')}; keyid=${keyId}`) !== 'string', 'unquoted, any order, ; separator');
  for (const bad of ['', 'keyid="x"', `keyid="${keyId}", sig="abc"`, `keyid="${keyId}", sig="${Buffer.from(sig).toString('base64url')}"`, `keyid="HTX.0123456789abcdef", sig="${Buffer.from(sig).toString('base64')}"`, `keyid="${keyId}", keyid="${keyId}", sig="${Buffer.from(sig).toString('base64')}"`, 'x'.repeat(600)]) {
    assert.equal(typeof parseSignatureHeader(bad), 'string', bad.slice(0, 60));
  }
});

test('sealed custodial seeds: AES-256-GCM bound to the key ID', () => {
  const kek = randomBytes(32);
  const seed = randomBytes(32);
  const s = sealSeed(kek, 'org.0123456789abcdef', seed);
  assert.deepEqual(Buffer.from(openSeed(kek, 'org.0123456789abcdef', s)), seed);
  assert.throws(() => openSeed(kek, 'org.fedcba9876543210', s), 'moved to another key row');
  assert.throws(() => openSeed(randomBytes(32), 'org.0123456789abcdef', s), 'wrong KEK');
  assert.ok(!s.includes(seed.toString('base64')));
});
