import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import type { Certificate, Location, Org, OrgInput, OrgKey, OrgKind, Product } from './org.types.ts';

/** A key row as the service needs it (with the sealed seed, which never leaves the module). */
export interface KeyRow {
  readonly keyId: string;
  readonly orgId: number;
  readonly orgCode: string;
  readonly publicKey: string;
  readonly sealedSeed: string | null;
  readonly revokedAt: number | null;
}

interface OrgRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  gln: string | null;
  address: string | null;
  lat: number | null;
  lon: number | null;
  certificates: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** SQL for organisations, keys, products and locations (parameterised; both dialects). */
export class OrgRepository {
  constructor(private readonly db: Database) {}

  async insertOrg(o: OrgInput): Promise<number> {
    const r = await this.db.kysely
      .insertInto('trace_orgs')
      .values({ code: o.code, name: o.name, kind: o.kind, gln: o.gln ?? null, address: o.address ?? null, lat: o.lat ?? null, lon: o.lon ?? null, certificates: JSON.stringify(o.certificates ?? []), created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  async listOrgs(codes?: readonly string[]): Promise<Org[]> {
    if (codes && codes.length === 0) return [];
    let q = this.db.kysely.selectFrom('trace_orgs').selectAll().orderBy('id');
    if (codes) q = q.where('code', 'in', codes);
    const rows = (await q.execute()) as OrgRow[];
    if (rows.length === 0) return [];
    const keys = (await this.db.kysely
      .selectFrom('trace_org_keys')
      .select(['key_id', 'org_id', 'public_key', 'sealed_seed', 'created_at', 'revoked_at'])
      .where('org_id', 'in', rows.map((r) => r.id))
      .orderBy('created_at')
      .execute()) as { key_id: string; org_id: number; public_key: string; sealed_seed: string | null; created_at: number; revoked_at: number | null }[];
    return rows.map((r) => ({
      id: Number(r.id),
      code: r.code,
      name: r.name,
      kind: r.kind as OrgKind,
      gln: r.gln,
      address: r.address,
      lat: r.lat === null ? null : Number(r.lat),
      lon: r.lon === null ? null : Number(r.lon),
      certificates: JSON.parse(r.certificates) as Certificate[],
      keys: keys
        .filter((k) => Number(k.org_id) === Number(r.id))
        .map((k): OrgKey => ({ keyId: k.key_id, publicKey: k.public_key, custodial: k.sealed_seed !== null, createdAt: iso(k.created_at)!, revokedAt: iso(k.revoked_at) })),
    }));
  }

  async orgIdByCode(code: string): Promise<number | null> {
    const r = await sql<{ id: number }>`SELECT id FROM trace_orgs WHERE code = ${code}`.execute(this.db.kysely);
    return r.rows[0] ? Number(r.rows[0].id) : null;
  }

  async insertKey(keyId: string, orgId: number, publicKey: string, sealedSeed: string | null): Promise<void> {
    await this.db.kysely.insertInto('trace_org_keys').values({ key_id: keyId, org_id: orgId, public_key: publicKey, sealed_seed: sealedSeed, created_at: Date.now(), revoked_at: null }).execute();
  }

  async revokeKey(keyId: string, orgId: number): Promise<boolean> {
    const r = await sql`UPDATE trace_org_keys SET revoked_at = ${Date.now()} WHERE key_id = ${keyId} AND org_id = ${orgId} AND revoked_at IS NULL`.execute(this.db.kysely);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async key(keyId: string): Promise<KeyRow | null> {
    const r = await sql<{ key_id: string; org_id: number; code: string; public_key: string; sealed_seed: string | null; revoked_at: number | null }>`
      SELECT k.key_id, k.org_id, o.code, k.public_key, k.sealed_seed, k.revoked_at FROM trace_org_keys k JOIN trace_orgs o ON o.id = k.org_id
      WHERE k.key_id = ${keyId}`.execute(this.db.kysely);
    const k = r.rows[0];
    return k ? { keyId: k.key_id, orgId: Number(k.org_id), orgCode: k.code, publicKey: k.public_key, sealedSeed: k.sealed_seed, revokedAt: k.revoked_at === null ? null : Number(k.revoked_at) } : null;
  }

  /** The newest unrevoked custodial key of an organisation. */
  async custodialKey(orgId: number): Promise<KeyRow | null> {
    const r = await sql<{ key_id: string }>`SELECT key_id FROM trace_org_keys WHERE org_id = ${orgId} AND sealed_seed IS NOT NULL AND revoked_at IS NULL
      ORDER BY created_at DESC, key_id LIMIT 1`.execute(this.db.kysely);
    return r.rows[0] ? this.key(r.rows[0].key_id) : null;
  }

  async upsertProduct(p: Product, ownerOrgId: number | null): Promise<void> {
    const v = { gtin: p.gtin, name: p.name, name_en: p.nameEn, description: p.description, category: p.category, image_url: p.imageUrl, owner_org_id: ownerOrgId, updated_at: Date.now() };
    await this.db.kysely
      .insertInto('trace_products')
      .values(v)
      .onConflict((oc) => oc.column('gtin').doUpdateSet({ name: v.name, name_en: v.name_en, description: v.description, category: v.category, image_url: v.image_url, owner_org_id: v.owner_org_id, updated_at: v.updated_at }))
      .execute();
  }

  async product(gtin: string): Promise<Product | null> {
    const r = await sql<{ gtin: string; name: string; name_en: string | null; description: string | null; category: string | null; image_url: string | null; code: string | null }>`
      SELECT p.gtin, p.name, p.name_en, p.description, p.category, p.image_url, o.code FROM trace_products p LEFT JOIN trace_orgs o ON o.id = p.owner_org_id
      WHERE p.gtin = ${gtin}`.execute(this.db.kysely);
    const p = r.rows[0];
    return p ? { gtin: p.gtin, name: p.name, nameEn: p.name_en, description: p.description, category: p.category, imageUrl: p.image_url, ownerOrg: p.code } : null;
  }

  async upsertLocation(l: Location, orgId: number | null): Promise<void> {
    const v = { gln: l.gln, name: l.name, address: l.address, lat: l.lat, lon: l.lon, org_id: orgId, updated_at: Date.now() };
    await this.db.kysely
      .insertInto('trace_locations')
      .values(v)
      .onConflict((oc) => oc.column('gln').doUpdateSet({ name: v.name, address: v.address, lat: v.lat, lon: v.lon, org_id: v.org_id, updated_at: v.updated_at }))
      .execute();
  }

  async locations(glns: readonly string[]): Promise<Location[]> {
    if (glns.length === 0) return [];
    const rows = (await this.db.kysely
      .selectFrom('trace_locations as l')
      .leftJoin('trace_orgs as o', 'o.id', 'l.org_id')
      .select(['l.gln', 'l.name', 'l.address', 'l.lat', 'l.lon', 'o.code'])
      .where('l.gln', 'in', glns)
      .execute()) as { gln: string; name: string; address: string | null; lat: number | null; lon: number | null; code: string | null }[];
    return rows.map((l) => ({ gln: l.gln, name: l.name, address: l.address, lat: l.lat === null ? null : Number(l.lat), lon: l.lon === null ? null : Number(l.lon), org: l.code }));
  }
}
