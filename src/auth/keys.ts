import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../core/errors.ts';
import type { Database } from '../storage/database.ts';
import { isRole, type Principal, type Role } from './roles.ts';

/** API keys are random 256-bit secrets, so a fast SHA-256 is the right hash (no password stretching needed). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newKeySecret(): string {
  return `ck_${randomBytes(32).toString('base64url')}`;
}

interface KeyRow {
  id: number;
  user_id: number;
  user_name: string;
  role: string;
  thing_scope: string | null;
  org_scope: number | null;
  revoked_at: number | null;
  key_hash: string;
}

/**
 * Users and API keys: creation, lookup by bearer secret (cached briefly, so authentication costs
 * no query on the hot path), revocation.
 */
export class KeyStore {
  private readonly cache = new Map<string, { p: Principal | null; until: number }>();
  constructor(private readonly db: Database) {}

  async ensureUser(name: string, role: Role): Promise<number> {
    // Safe when several nodes start at once: the unique name decides, the loser reads the winner's row.
    await this.db.kysely.insertInto('users').values({ name, role, created_at: Date.now() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const found = await sql<{ id: number }>`SELECT id FROM users WHERE name = ${name}`.execute(this.db.kysely);
    return Number(found.rows[0]!.id);
  }

  /** Creates a key and returns its secret (shown once; only the hash is stored). */
  async createKey(userId: number, opts: { label: string; role: Role; thingScope?: number[]; orgScope?: number; secret?: string }): Promise<{ id: number; secret: string }> {
    const secret = opts.secret ?? newKeySecret();
    const r = await this.db.kysely
      .insertInto('api_keys')
      .values({
        user_id: userId,
        label: opts.label,
        prefix: secret.slice(0, 7),
        key_hash: hashKey(secret),
        role: opts.role,
        thing_scope: opts.thingScope ? JSON.stringify(opts.thingScope) : null,
        org_scope: opts.orgScope ?? null,
        created_at: Date.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(r.id), secret };
  }

  /** Makes sure an admin key with exactly this secret exists (CANTHO_BOOTSTRAP_ADMIN_KEY). */
  async ensureBootstrapKey(secret: string): Promise<void> {
    const h = hashKey(secret);
    const found = await sql`SELECT id FROM api_keys WHERE key_hash = ${h} AND revoked_at IS NULL`.execute(this.db.kysely);
    if (found.rows.length) return;
    const uid = await this.ensureUser('bootstrap-admin', 'admin');
    try {
      await this.createKey(uid, { label: 'bootstrap', role: 'admin', secret });
    } catch (e) {
      // Another node created it at the same moment, or it was revoked: the configured key wins.
      const code = (e as { code?: string }).code;
      if (code !== '23505' && code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
      await sql`UPDATE api_keys SET revoked_at = NULL WHERE key_hash = ${h}`.execute(this.db.kysely);
    }
  }

  async revoke(keyId: number): Promise<boolean> {
    const r = await sql`UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id = ${keyId} AND revoked_at IS NULL`.execute(this.db.kysely);
    this.cache.clear();
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async list(): Promise<{ id: number; user: string; label: string; prefix: string; role: string; revoked: boolean }[]> {
    const r = await sql<{ id: number; user: string; label: string; prefix: string; role: string; revoked_at: number | null }>`
      SELECT k.id, u.name AS "user", k.label, k.prefix, k.role, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id ORDER BY k.id`.execute(this.db.kysely);
    return r.rows.map((x) => ({ id: Number(x.id), user: x.user, label: x.label, prefix: x.prefix, role: x.role, revoked: x.revoked_at !== null }));
  }

  /** The principal for a bearer secret, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | null> {
    if (secret.length < 16 || secret.length > 256) return null;
    const h = hashKey(secret);
    const now = Date.now();
    const c = this.cache.get(h);
    if (c && c.until > now) return c.p;
    const r = await sql<KeyRow>`SELECT k.id, k.user_id, u.name AS user_name, k.role, k.thing_scope, k.org_scope, k.revoked_at, k.key_hash
      FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ${h}`.execute(this.db.kysely);
    const row = r.rows[0];
    let p: Principal | null = null;
    if (row && row.revoked_at === null && timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(h)) && isRole(row.role)) {
      p = {
        userId: Number(row.user_id),
        userName: row.user_name,
        keyId: Number(row.id),
        role: row.role,
        thingScope: row.thing_scope ? new Set((JSON.parse(row.thing_scope) as number[]).map(Number)) : null,
        orgScope: row.org_scope === null ? null : Number(row.org_scope),
      };
    }
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(h, { p, until: now + 5000 });
    return p;
  }
}

/** Parses `Authorization: Bearer <key>`; a malformed header is an error, an absent one is anonymous. */
export function bearerOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <key>"');
  return m[1]!;
}
