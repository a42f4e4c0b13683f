import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { negotiate } from './accept.ts';
import { verifierBundle } from './assets.ts';
import { consumerPage } from './consumer-page.ts';
import { type DigitalLinkKey, lotPath, parseDigitalLinkPath } from './digital-link-path.ts';
import { badCodePage, notFoundPage } from './error-page.ts';
import { labelPage } from './label-page.ts';
import { injectLotSource, injectTrustSource, type LotSource, type TrustSource } from './lot-source.ts';
import type { LotView } from './lot-types.ts';
import { qrPng, qrSvg } from './qr.ts';

/**
 * GS1 Digital Link resolver (GS1 Digital Link 1.2; GS1-Conformant Resolver Standard 1.1) for lots:
 *
 * - `GET /01/{gtin}/10/{lot}[/21/{serial}]` → the consumer page (HTML, Vietnamese) by default;
 *   `Accept: application/json` → the lot's data; `Accept: application/linkset+json` or
 *   `?linkType=all` → the RFC 9264 linkset; `?linkType=gs1:traceability|gs1:epcis` → 307 there.
 * - `…/qr.svg`, `…/qr.png` (or `?format=svg|png`) → the QR code of the absolute Digital Link URI;
 * - `…/label` → a printable sheet of QR labels;
 * - `GET /trace/assets/verify.js` → the in-browser verifier.
 *
 * Bad codes get a Vietnamese 400 page, unknown lots a Vietnamese 404 page (JSON for JSON clients).
 */

export interface TraceWebOptions {
  readonly config: Config;
  /** Lot data; default: the backend's `GET /trace/api/lots/…`, in-process. */
  readonly lots?: LotSource;
  /** Keys to pin in the page; default: this server's configuration via `GET /trace/log/keys`. */
  readonly trust?: TrustSource;
}

const ASSET_PATH = '/trace/assets/verify.js';
const GS1 = 'https://gs1.org/voc/';

/** Content-Security-Policy of the pages: only this origin's verifier script, no other origin. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function baseOf(config: Config, req: FastifyRequest): string {
  return config.publicUrl ?? `${req.protocol}://${req.host}`;
}

function htmlReply(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .status(status)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(body);
}

function linkset(key: DigitalLinkKey, base: string, lot: LotView): unknown {
  const path = lotPath(key.gtin, key.lot!, key.serial);
  const page = { href: `${base}${path}`, title: `${lot.product?.name ?? key.gtin} — truy xuất nguồn gốc lô ${key.lot}`, type: 'text/html', hreflang: ['vi'] };
  const api = `${base}/trace/api/lots/${key.gtin}/${encodeURIComponent(key.lot!)}${key.serial ? `?serial=${encodeURIComponent(key.serial)}` : ''}`;
  const epcis = `${base}/epcis/events?MATCH_epcClass=${encodeURIComponent(`https://id.gs1.org/01/${key.gtin}/10/${key.lot}`)}`;
  return {
    linkset: [
      {
        anchor: `${base}${path}`,
        [`${GS1}defaultLink`]: [page],
        [`${GS1}pip`]: [page],
        [`${GS1}traceability`]: [{ href: api, title: 'Dữ liệu truy xuất nguồn gốc và bằng chứng kiểm chứng (JSON)', type: 'application/json' }],
        [`${GS1}epcis`]: [{ href: epcis, title: 'Sự kiện EPCIS 2.0 của lô', type: 'application/ld+json' }],
        [`${GS1}qrCode`]: [{ href: `${base}${path}/qr.svg`, title: 'Mã QR', type: 'image/svg+xml' }],
      },
    ],
  };
}

/** Registers the resolver, QR, label and verifier asset routes. */
export async function registerTraceWebRoutes(app: FastifyInstance, opts: TraceWebOptions): Promise<void> {
  const { config } = opts;
  const lots = opts.lots ?? injectLotSource(app);
  const trust = opts.trust ?? injectTrustSource(app);

  app.get(ASSET_PATH, async (_req, reply) => {
    const b = await verifierBundle();
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('etag', `"${b.etag}"`)
      .header('x-content-type-options', 'nosniff')
      .type('text/javascript; charset=utf-8')
      .send(b.code);
  });

  const resolve = async (req: FastifyRequest, reply: FastifyReply) => {
    const base = baseOf(config, req);
    const [rawPath] = req.url.split('?') as [string];
    const query = req.query as Record<string, unknown>;
    const wantsJson = negotiate(req.headers.accept, ['text/html', 'application/json', 'application/linkset+json']);
    const parsed = parseDigitalLinkPath(rawPath, query);
    reply.header('vary', 'Accept');
    if (!parsed.ok) {
      if (wantsJson !== 'text/html') return reply.status(400).send({ code: 'BAD_REQUEST', message: parsed.problem.message, ...(parsed.problem.ai ? { details: { ai: parsed.problem.ai } } : {}) });
      return htmlReply(reply, 400, badCodePage(rawPath, parsed.problem.message, base));
    }
    const key = parsed.key;
    if (!key.lot) {
      const msg = 'Mã này chỉ có mã sản phẩm (GTIN), thiếu số lô (10): hãy quét mã QR in trên bao bì của lô hàng.';
      if (wantsJson !== 'text/html') return reply.status(404).send({ code: 'NOT_FOUND', message: msg });
      return htmlReply(reply, 404, notFoundPage(rawPath, msg, base));
    }
    const found = await lots.lot(key.gtin, key.lot, key.serial ?? null);
    if (found.status === 404) {
      const msg = `Không tìm thấy lô hàng ${key.lot} của sản phẩm ${key.gtin}${key.serial ? `, số sê-ri ${key.serial}` : ''}.`;
      if (wantsJson !== 'text/html' || key.action !== 'page') return reply.status(404).send({ code: 'NOT_FOUND', message: msg });
      return htmlReply(reply, 404, notFoundPage(rawPath, msg, base));
    }
    if (found.status !== 200) {
      req.log.error({ status: found.status, message: found.message }, 'trace lot lookup failed');
      return reply.status(found.status === 400 ? 400 : 502).send({ code: found.status === 400 ? 'BAD_REQUEST' : 'INTERNAL', message: found.message });
    }
    const lot = found.lot;
    const path = lotPath(key.gtin, key.lot, key.serial);
    const dlUrl = `${base}${path}`;
    reply.header('link', `<${dlUrl}?linkType=all>; rel="linkset"; type="application/linkset+json"`);

    const format = typeof query.format === 'string' ? query.format : null;
    const action = key.action === 'page' && (format === 'svg' || format === 'png') ? (`qr.${format}` as const) : key.action;
    if (action === 'qr.svg') {
      return reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(await qrSvg(dlUrl, `Mã QR truy xuất nguồn gốc lô ${key.lot}`));
    }
    if (action === 'qr.png') {
      const size = Number(typeof query.size === 'string' ? query.size : 512);
      return reply.header('cache-control', 'public, max-age=86400').type('image/png').send(await qrPng(dlUrl, size));
    }
    if (action === 'label') {
      const copies = Number(typeof query.copies === 'string' ? query.copies : 6);
      return htmlReply(reply, 200, labelPage(lot, await qrSvg(dlUrl, `Mã QR lô ${key.lot}`), dlUrl, copies));
    }

    const linkType = typeof query.linkType === 'string' ? query.linkType.replace(/^https:\/\/gs1\.org\/voc\//, 'gs1:') : null;
    if (linkType === 'all' || linkType === 'linkset' || (!linkType && wantsJson === 'application/linkset+json')) {
      return reply.type('application/linkset+json').send(linkset(key, base, lot));
    }
    if (linkType === 'gs1:traceability' || linkType === 'gs1:epcis') {
      const set = linkset(key, base, lot) as { linkset: Record<string, { href: string }[]>[] };
      return reply.redirect(set.linkset[0]![`${GS1}${linkType.slice(4)}`]![0]!.href, 307);
    }
    if (wantsJson === 'application/json' && linkType !== 'gs1:pip') return reply.send(lot);
    if (wantsJson === null) return reply.status(406).send({ code: 'NOT_ACCEPTABLE', message: 'Offered: text/html, application/json, application/linkset+json' });

    const [bundle, pins] = await Promise.all([verifierBundle(), trust()]);
    return htmlReply(reply, 200, consumerPage(lot, { base, pins, script: { src: `${ASSET_PATH}?v=${bundle.etag}`, integrity: bundle.integrity } }));
  };

  // Primary key 01 and its GS1 Digital Link 1.0 short name.
  app.get('/01/*', resolve);
  app.get('/gtin/*', resolve);
}
