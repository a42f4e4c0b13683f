import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Custodial organisation keys (demo organisations that let the server sign for them) are stored
 * sealed: AES-256-GCM (NIST SP 800-38D) under a key-encryption key from configuration, with a fresh
 * 96-bit nonce per seal and the key ID as associated data, so a sealed seed cannot be moved to
 * another key row unnoticed. Format: `v1.<base64 nonce>.<base64 ciphertext‖tag>`.
 */

/** Seals a 32-byte Ed25519 seed. */
export function sealSeed(kek: Uint8Array, keyId: string, seed: Uint8Array): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek, iv);
  c.setAAD(Buffer.from(keyId, 'utf8'));
  const ct = Buffer.concat([c.update(seed), c.final(), c.getAuthTag()]);
  return `v1.${iv.toString('base64')}.${ct.toString('base64')}`;
}

/** Opens a sealed seed; throws when the KEK is wrong or the row was tampered with. */
export function openSeed(kek: Uint8Array, keyId: string, sealed: string): Uint8Array {
  const [v, ivB64, ctB64] = sealed.split('.');
  if (v !== 'v1' || !ivB64 || !ctB64) throw new Error('sealed key has an unknown format');
  const iv = Buffer.from(ivB64, 'base64');
  const all = Buffer.from(ctB64, 'base64');
  if (iv.length !== 12 || all.length !== 32 + 16) throw new Error('sealed key has a wrong size');
  const d = createDecipheriv('aes-256-gcm', kek, iv);
  d.setAAD(Buffer.from(keyId, 'utf8'));
  d.setAuthTag(all.subarray(32));
  return new Uint8Array(Buffer.concat([d.update(all.subarray(0, 32)), d.final()]));
}
