import { LogFormatError, type LogErrorCode } from './errors.ts';

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (RFC 4648 §4) decoding, as required by every C2SP format used here.
 *
 * Why not `Buffer.from(s, 'base64')`: Node's decoder silently skips invalid characters, accepts the
 * URL alphabet and missing padding, so two different strings could decode to the same bytes. Here
 * only the canonical encoding is accepted (padding required, unused trailing bits zero).
 */
export function decodeBase64Strict(s: string, code: LogErrorCode, what: string): Uint8Array {
  if (!STD_BASE64.test(s)) throw new LogFormatError(code, `${what} is not standard base64`);
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64') !== s) throw new LogFormatError(code, `${what} is not canonical base64`);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Standard base64 (RFC 4648 §4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
