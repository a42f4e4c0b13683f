/**
 * The error thrown by the transparency-log library when outside input is malformed or an
 * operation's preconditions do not hold.
 *
 * Why a dedicated class: callers (HTTP handlers, CLI) map it to a 400-style answer without
 * depending on this pure library knowing about HTTP; `code` gives a stable machine-readable reason.
 */
export class LogFormatError extends Error {
  readonly code: LogErrorCode;
  constructor(code: LogErrorCode, message: string) {
    super(message);
    this.name = 'LogFormatError';
    this.code = code;
  }
}

/** Stable reasons for {@link LogFormatError}. */
export type LogErrorCode =
  | 'BAD_ARGUMENT'
  | 'BAD_HASH'
  | 'BAD_STORAGE'
  | 'MALFORMED_NOTE'
  | 'BAD_KEY'
  | 'MALFORMED_CHECKPOINT'
  | 'MALFORMED_COSIGNATURE'
  | 'MALFORMED_TILE_PATH'
  | 'MALFORMED_BUNDLE'
  | 'MALFORMED_PROOF'
  | 'SIGNATURE_INVALID'
  | 'NO_KNOWN_SIGNATURE';
