import type { KeyObject } from 'node:crypto';
import type { Principal } from '../../auth/roles.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/database.ts';
import { ed25519FromSeed, ed25519Generate, ed25519PublicKey, ed25519Sign } from '../log/ed25519.ts';
import { keyIdFor } from '../signing/capture-signature.ts';
import { openSeed, sealSeed } from '../signing/sealed-seed.ts';
import { OrgRepository } from './org.repository.ts';
import { glnOf, validGs1Key } from './org-input.ts';
import type { Location, Org, OrgInput, OrgKey, Product } from './org.types.ts';

/** A verified, usable organisation key (cached). */
export interface ResolvedKey {
  readonly keyId: string;
  readonly orgId: number;
  readonly orgCode: string;
  readonly publicKey: KeyObject;
  readonly publicKeyB64: string;
  readonly revoked: boolean;
  readonly custodial: boolean;
}

const KEY_TTL_MS = 5000;

/**
 * Organisations, their Ed25519 keys and master data. Key lookups for signature checks are cached
 * for a few seconds (a capture costs no key query on the hot path; a revocation on another node
 * takes effect within the TTL). Custodial keys are unsealed on demand with the KEK and their
 * private KeyObjects are kept in memory only.
 */
export class OrgService {
  readonly repo: OrgRepository;
  private readonly keys = new Map<string, { k: ResolvedKey | null; until: number }>();
  private readonly signers = new Map<number, { keyId: string; sign(msg: Uint8Array): Uint8Array }>();

  constructor(db: Database, private readonly kek: Uint8Array) {
    this.repo = new OrgRepository(db);
  }

  async create(input: OrgInput): Promise<Org> {
    if (await this.repo.orgIdByCode(input.code)) throw new AppError('CONFLICT', `organisation "${input.code}" already exists`);
    await this.repo.insertOrg(input);
    return this.get(input.code);
  }

  async list(): Promise<Org[]> {
    return this.repo.listOrgs();
  }

  async get(code: string): Promise<Org> {
    const [o] = await this.repo.listOrgs([code]);
    if (!o) throw new AppError('NOT_FOUND', `no organisation "${code}"`);
    return o;
  }

  /** Registers a client-held public key (raw 32 bytes, base64) or, with `custodial`, a server-held one. */
  async addKey(code: string, opts: { publicKey?: string; custodial?: boolean }): Promise<OrgKey> {
    const org = await this.get(code);
    let pub: Uint8Array;
    let sealed: string | null = null;
    if (opts.custodial) {
      const pair = ed25519Generate();
      pub = pair.publicKey;
      sealed = sealSeed(this.kek, keyIdFor(code, pub), pair.seed);
    } else {
      const raw = typeof opts.publicKey === 'string' ? Buffer.from(opts.publicKey, 'base64') : Buffer.alloc(0);
      if (raw.length !== 32 || raw.toString('base64') !== opts.publicKey) throw new AppError('INVALID_ENTITY', '"publicKey" must be the standard base64 of a raw 32-byte Ed25519 public key');
      pub = new Uint8Array(raw);
      try {
        ed25519PublicKey(pub);
      } catch {
        throw new AppError('INVALID_ENTITY', '"publicKey" is not a valid Ed25519 point');
      }
    }
    const keyId = keyIdFor(code, pub);
    if (await this.repo.key(keyId)) throw new AppError('CONFLICT', `key ${keyId} is already registered`);
    await this.repo.insertKey(keyId, org.id, Buffer.from(pub).toString('base64'), sealed);
    this.keys.delete(keyId);
    return (await this.get(code)).keys.find((k) => k.keyId === keyId)!;
  }

  async revokeKey(code: string, keyId: string): Promise<void> {
    const orgId = await this.repo.orgIdByCode(code);
    if (orgId === null || !(await this.repo.revokeKey(keyId, orgId))) throw new AppError('NOT_FOUND', `no active key ${keyId} of "${code}"`);
    this.keys.delete(keyId);
    this.signers.delete(orgId);
  }

  /** The key for a signature check, or null when unknown. */
  async resolveKey(keyId: string): Promise<ResolvedKey | null> {
    const now = Date.now();
    const c = this.keys.get(keyId);
    if (c && c.until > now) return c.k;
    const row = await this.repo.key(keyId);
    const k: ResolvedKey | null = row
      ? {
          keyId,
          orgId: row.orgId,
          orgCode: row.orgCode,
          publicKey: ed25519PublicKey(new Uint8Array(Buffer.from(row.publicKey, 'base64'))),
          publicKeyB64: row.publicKey,
          revoked: row.revokedAt !== null,
          custodial: row.sealedSeed !== null,
        }
      : null;
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(keyId, { k, until: now + KEY_TTL_MS });
    return k;
  }

  /** A signer with the organisation's custodial key, or null when it has none. */
  async custodialSigner(orgId: number): Promise<{ keyId: string; sign(msg: Uint8Array): Uint8Array } | null> {
    const cached = this.signers.get(orgId);
    if (cached) return cached;
    const row = await this.repo.custodialKey(orgId);
    if (!row?.sealedSeed) return null;
    const { privateKeyObject } = ed25519FromSeed(openSeed(this.kek, row.keyId, row.sealedSeed));
    const s = { keyId: row.keyId, sign: (msg: Uint8Array) => ed25519Sign(privateKeyObject, msg) };
    this.signers.set(orgId, s);
    return s;
  }

  /** Throws unless the caller may act for organisation `orgId` (admin, or a key scoped to it). */
  static authorise(p: Principal | null, orgId: number): void {
    if (!p) throw new AppError('UNAUTHENTICATED');
    if (p.role === 'admin') return;
    if (p.orgScope === orgId) return;
    throw new AppError('FORBIDDEN', 'this API key is not scoped to the organisation');
  }

  async putProduct(gtin: string, p: Omit<Product, 'gtin'>, caller: Principal | null): Promise<Product> {
    if (!validGs1Key(gtin, 14)) throw new AppError('INVALID_PATH', 'the GTIN must have 8, 12, 13 or 14 digits and a valid check digit');
    const owner = p.ownerOrg === null ? null : await this.repo.orgIdByCode(p.ownerOrg);
    if (p.ownerOrg !== null && owner === null) throw new AppError('INVALID_ENTITY', `no organisation "${p.ownerOrg}"`);
    if (caller?.role !== 'admin') OrgService.authorise(caller, owner ?? -1);
    await this.repo.upsertProduct({ ...p, gtin }, owner);
    return (await this.repo.product(gtin))!;
  }

  async putLocation(gln: string, l: Omit<Location, 'gln'>, caller: Principal | null): Promise<Location> {
    glnOf(gln, 'GLN');
    const org = l.org === null ? null : await this.repo.orgIdByCode(l.org);
    if (l.org !== null && org === null) throw new AppError('INVALID_ENTITY', `no organisation "${l.org}"`);
    if (caller?.role !== 'admin') OrgService.authorise(caller, org ?? -1);
    await this.repo.upsertLocation({ ...l, gln }, org);
    return (await this.repo.locations([gln]))[0]!;
  }
}
