import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, isAppError } from '../../core/errors.ts';
import { CAPTURE_EVENT_LIMIT } from '../capture/prepare.ts';

/** Largest capture body, announced as GS1-EPCIS-Capture-File-Size-Limit. */
export const CAPTURE_BYTES_LIMIT = 8 * 1024 * 1024;

/** Headers every /epcis answer carries (EPCIS 2.0 REST binding, components/headers). */
export const EPCIS_HEADERS: Readonly<Record<string, string>> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-EPCIS-Min': '2.0.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Min': '2.0.0',
  'GS1-CBV-Max': '2.0.0',
  'GS1-Extensions': '',
  'GS1-EPC-Format': 'Never_Translates',
  'GS1-Capture-Error-Behaviour': 'all',
  'GS1-EPCIS-Capture-Limit': String(CAPTURE_EVENT_LIMIT),
  'GS1-EPCIS-Capture-File-Size-Limit': String(CAPTURE_BYTES_LIMIT),
};

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Compares dotted versions numerically (missing parts are 0). */
function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Checks the version negotiation headers of a request: GS1-EPCIS-Version / GS1-CBV-Version must be
 * 2.0.x (400 otherwise); GS1-EPCIS-Min/Max and GS1-CBV-Min/Max must admit 2.0.0 (406); an EPC format
 * that asks for translation is refused (406) because events are returned exactly as captured.
 */
export function checkVersionHeaders(req: FastifyRequest): void {
  for (const h of ['GS1-EPCIS-Version', 'GS1-CBV-Version']) {
    const v = header(req, h);
    if (v !== undefined && !/^2\.0(\.\d+)?$/.test(v.trim())) throw new AppError('BAD_REQUEST', `${h} ${v} is not supported (this server speaks 2.0.0)`);
  }
  for (const [h, ok] of [
    ['GS1-EPCIS-Min', (v: string) => cmpVersion(v, '2.0.0') <= 0],
    ['GS1-CBV-Min', (v: string) => cmpVersion(v, '2.0.0') <= 0],
    ['GS1-EPCIS-Max', (v: string) => cmpVersion(v, '2.0.0') >= 0],
    ['GS1-CBV-Max', (v: string) => cmpVersion(v, '2.0.0') >= 0],
  ] as const) {
    const v = header(req, h);
    if (v === undefined) continue;
    if (!/^\d+(\.\d+){0,2}$/.test(v.trim()) || !ok(v.trim())) throw new AppError('NOT_ACCEPTABLE', `${h} ${v} excludes EPCIS/CBV 2.0.0, the only version served`);
  }
  const fmt = header(req, 'GS1-EPC-Format');
  if (fmt !== undefined && fmt !== 'No_Preference' && fmt !== 'Never_Translates') {
    throw new AppError('NOT_ACCEPTABLE', `GS1-EPC-Format ${fmt} is not offered: events are returned as captured (Never_Translates)`);
  }
}

/** The response media type for an Accept header: JSON-LD, JSON, or 406. */
export function negotiate(req: FastifyRequest): 'application/json' | 'application/ld+json' {
  const accept = header(req, 'accept');
  if (!accept || accept.trim() === '') return 'application/json';
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  if (types.includes('application/ld+json')) return 'application/ld+json';
  if (types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*')) return 'application/json';
  throw new AppError('NOT_ACCEPTABLE', `cannot answer as ${accept}; offered: application/json, application/ld+json`);
}

const EXCEPTION: Partial<Record<ErrorCode, string>> = {
  EPCIS_VALIDATION: 'ValidationException',
  INVALID_JSON: 'ValidationException',
  BAD_REQUEST: 'ValidationException',
  INVALID_PATH: 'ValidationException',
  EPCIS_QUERY_PARAMETER: 'QueryParameterException',
  NOT_ACCEPTABLE: 'NotAcceptableException',
  UNAUTHENTICATED: 'SecurityException',
  FORBIDDEN: 'SecurityException',
  SIGNATURE_REQUIRED: 'SecurityException',
  SIGNATURE_INVALID: 'SecurityException',
  NOT_FOUND: 'NoSuchResourceException',
  CONFLICT: 'ResourceAlreadyExistsException',
  PAYLOAD_TOO_LARGE: 'CaptureLimitExceededException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  QUERY_TOO_COSTLY: 'QueryTooComplexException',
};

/** Where the EPCIS REST binding answers another status than the platform's code does. */
const STATUS: Partial<Record<ErrorCode, number>> = { QUERY_TOO_COSTLY: 413 };

/**
 * The /epcis error handler: RFC 7807 problem+json with the EPCIS exception as `type` (REST binding
 * responses 400–500), plus the platform's usual `code`/`message` fields.
 */
export function sendEpcisProblem(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let e: AppError;
  if (isAppError(err)) e = err;
  else {
    const f = err as { code?: string; statusCode?: number; message?: string };
    if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new AppError('PAYLOAD_TOO_LARGE', `the body is larger than ${CAPTURE_BYTES_LIMIT} bytes`);
    else if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json or application/ld+json');
    else if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500) e = new AppError('BAD_REQUEST', f.message);
    else {
      req.log.error({ err }, 'unexpected error');
      e = new AppError('INTERNAL');
    }
  }
  if (e.status >= 500) req.log.error({ err }, 'request failed');
  return reply.send(epcisProblem(e, reply));
}

/** Sets the status, type and EPCIS headers of an error answer; returns its problem+json body. */
export function epcisProblem(e: AppError, reply: FastifyReply): string {
  const details = e.details as { errors?: unknown } | undefined;
  const status = STATUS[e.code] ?? e.status;
  const body = {
    type: `epcisException:${EXCEPTION[e.code] ?? 'ImplementationException'}`,
    title: e.message,
    status,
    detail: e.message,
    code: e.code,
    message: e.message,
    ...(details?.errors ? { errors: details.errors } : {}),
  };
  for (const [k, v] of Object.entries(EPCIS_HEADERS)) reply.header(k, v);
  reply.status(status).type('application/problem+json');
  return JSON.stringify(body);
}
