/**
 * Typed errors with codes. One registry maps each code to an HTTP status and a default message
 * (the pattern of fastify's lib/errors.js); errors.test.ts checks every code is documented in
 * docs/api/errors.md.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON' },
  INVALID_PATH: { status: 400, message: 'The resource path is not valid' },
  INVALID_QUERY_OPTION: { status: 400, message: 'A query option is not valid' },
  INVALID_FILTER: { status: 400, message: 'The $filter expression is not valid' },
  INVALID_ORDERBY: { status: 400, message: 'The $orderby expression is not valid' },
  INVALID_EXPAND: { status: 400, message: 'The $expand expression is not valid' },
  EXPAND_TOO_DEEP: { status: 400, message: 'The $expand nesting is deeper than allowed' },
  INVALID_SELECT: { status: 400, message: 'The $select expression is not valid' },
  UNKNOWN_PROPERTY: { status: 400, message: 'The entity type has no such property' },
  INVALID_ENTITY: { status: 400, message: 'The entity in the body is not valid' },
  MISSING_PROPERTY: { status: 400, message: 'A mandatory property is missing' },
  WRONG_TYPE: { status: 400, message: 'A value has the wrong type' },
  INVALID_TIME: { status: 400, message: 'A time value is not valid ISO 8601' },
  INVALID_GEOMETRY: { status: 400, message: 'A geometry is not valid' },
  INVALID_BATCH: { status: 400, message: 'The batch request is not valid' },
  INVALID_AGGREGATION: { status: 400, message: 'The aggregation request is not valid' },
  INVALID_CONFIG: { status: 400, message: 'The configuration is not valid' },
  UNAUTHENTICATED: { status: 401, message: 'An API key is required (Authorization: Bearer <key>)' },
  FORBIDDEN: { status: 403, message: 'The API key does not allow this action' },
  NOT_FOUND: { status: 404, message: 'No such entity' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The method is not allowed on this resource' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  FAILED_DEPENDENCY: { status: 424, message: 'A request this one depends on failed' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported' },
  QUERY_TOO_COSTLY: { status: 400, message: 'The query would cost more than the server allows' },
  EPCIS_VALIDATION: { status: 400, message: 'The EPCIS document or event is not valid' },
  EPCIS_QUERY_PARAMETER: { status: 400, message: 'An EPCIS query parameter is not valid' },
  NOT_ACCEPTABLE: { status: 406, message: 'The server cannot answer in the requested format or version' },
  SIGNATURE_REQUIRED: { status: 401, message: 'The capture must be signed by the organisation (Cantho-Signature header)' },
  SIGNATURE_INVALID: { status: 401, message: 'The organisation signature does not verify' },
  COSIGNATURE_INVALID: { status: 400, message: 'The cosigned checkpoint is not acceptable' },
  NOT_IMPLEMENTED: { status: 501, message: 'Not implemented' },
  UNAVAILABLE: { status: 503, message: 'The service is not ready' },
  BUSY: { status: 503, message: 'The server is busy; try again shortly' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error whose code decides the HTTP status; the message is safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
