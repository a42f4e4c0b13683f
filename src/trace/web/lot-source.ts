import type { FastifyInstance } from 'fastify';
import type { LotView, TrustPins } from './lot-types.ts';

/**
 * Where the resolver gets a lot and the keys to pin. By default both come from the trace
 * backend's public HTTP API (docs/api/trace.md §5, §4.2), called in-process with `app.inject`, so
 * the web module depends on the documented API only, never on the backend's tables or classes.
 */

export type LotLookup = { readonly status: 200; readonly lot: LotView } | { readonly status: 404 } | { readonly status: 400 | 500; readonly message: string };

export interface LotSource {
  lot(gtin: string, lot: string, serial: string | null): Promise<LotLookup>;
}

/** The pins the page embeds: from the server's configuration (docs/api/trace.md §6). */
export type TrustSource = () => TrustPins | Promise<TrustPins>;

/** A lot source calling `GET /trace/api/lots/{gtin}/{lot}[?serial=]` in-process. */
export function injectLotSource(app: FastifyInstance): LotSource {
  return {
    async lot(gtin, lot, serial) {
      const url = `/trace/api/lots/${encodeURIComponent(gtin)}/${encodeURIComponent(lot)}${serial ? `?serial=${encodeURIComponent(serial)}` : ''}`;
      const r = await app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
      if (r.statusCode === 200) return { status: 200, lot: r.json() as LotView };
      if (r.statusCode === 404) return { status: 404 };
      let message = `HTTP ${r.statusCode}`;
      try {
        message = String((r.json() as { message?: unknown }).message ?? message);
      } catch {
        /* not JSON */
      }
      return { status: r.statusCode === 400 ? 400 : 500, message };
    },
  };
}

/**
 * Pins read from `GET /trace/log/keys` of this same process. That endpoint serves the server's
 * configuration (CANTHO_TRACE_LOG_KEY's public part, CANTHO_TRACE_WITNESS_KEYS, the quorum), the
 * same object as `platform.trace.trust()`; reading it in-process is reading the configuration,
 * not trusting a remote server. Cached after the first successful read.
 */
export function injectTrustSource(app: FastifyInstance): TrustSource {
  let cached: TrustPins | null = null;
  return async () => {
    if (cached) return cached;
    const r = await app.inject({ method: 'GET', url: '/trace/log/keys', headers: { accept: 'application/json' } });
    if (r.statusCode !== 200) throw new Error(`GET /trace/log/keys answered ${r.statusCode}`);
    const k = r.json() as TrustPins;
    cached = { origin: k.origin, logKey: k.logKey, witnesses: k.witnesses.map((w) => ({ name: w.name, key: w.key })), quorum: k.quorum };
    return cached;
  };
}
