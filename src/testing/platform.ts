import { after, before, describe } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { createPlatform, type Platform } from '../server/platform.ts';
import { type TestBackend, testBackends } from './databases.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A response of `app.inject` reduced to what tests look at. */
export interface ApiResponse {
  status: number;
  headers: Record<string, unknown>;
  body: unknown;
  text: string;
}

/** A platform on one backend with helpers to call its HTTP API in-process. */
export interface TestPlatform {
  readonly backend: TestBackend;
  p: Platform;
  api(method: string, url: string, body?: unknown, opts?: { key?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
}

/**
 * For each backend (SQLite always, PostgreSQL when configured), registers before/after hooks that
 * build a fresh platform, and calls `define` to declare tests against it. `env` may depend on the
 * backend (e.g. a topic prefix of its own, so that two platforms on one external broker do not
 * share a subscription group).
 */
export function forEachBackend(define: (t: TestPlatform) => void, env: Record<string, string> | ((dialect: string) => Record<string, string>) = {}): void {
  for (const backend of testBackends()) {
    const tp = { backend } as TestPlatform;
    tp.api = async (method, url, body, opts = {}) => {
      const key = opts.key === undefined ? ADMIN_KEY : opts.key;
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (key) headers.authorization = `Bearer ${key}`;
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      const r = await tp.p.app.inject({ method: method as 'GET', url, payload, headers });
      let parsed: unknown = r.body;
      try {
        parsed = r.body ? JSON.parse(r.body) : undefined;
      } catch {
        /* plain text */
      }
      return { status: r.statusCode, headers: r.headers, body: parsed, text: r.body };
    };
    describe(`on ${backend.dialect}`, () => {
    before(async () => {
      const db = await backend.open();
      await db.close();
      const config = loadConfig({ DATABASE_URL: backend.url(), CANTHO_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent', ...(typeof env === 'function' ? env(backend.dialect) : env) });
      tp.p = await createPlatform(config, { logger: pino({ level: 'silent' }), pgSchema: backend.pgSchema });
    });
    after(async () => {
      await tp.p?.close();
      await backend.cleanup();
    });
    define(tp);
    });
  }
}
