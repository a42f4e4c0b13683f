import { LogFormatError, type LogErrorCode } from './errors.ts';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes outside input to a string, rejecting what C2SP signed-note forbids: invalid UTF-8, and
 * ASCII control characters other than newline. Strings are checked the same way (lone UTF-16
 * surrogates cannot be encoded as UTF-8). Internal module.
 */
export function decodeNoteText(input: string | Uint8Array, maxBytes: number, code: LogErrorCode, what: string): string {
  let s: string;
  if (typeof input === 'string') {
    s = input;
    if (s.length > maxBytes || utf8Length(s) > maxBytes) throw new LogFormatError(code, `${what} is larger than ${maxBytes} bytes`);
  } else if (input instanceof Uint8Array) {
    if (input.length > maxBytes) throw new LogFormatError(code, `${what} is larger than ${maxBytes} bytes`);
    try {
      s = utf8Decoder.decode(input);
    } catch {
      throw new LogFormatError(code, `${what} is not valid UTF-8`);
    }
  } else {
    throw new LogFormatError(code, `${what} must be a string or bytes`);
  }
  const bad = textProblem(s, true);
  if (bad) throw new LogFormatError(code, `${what} ${bad}`);
  return s;
}

/** Why `s` is not acceptable note text (null if fine): lone surrogates or control characters. */
export function textProblem(s: string, allowNewline: boolean): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(allowNewline && c === 0x0a)) return `contains control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return 'is not valid Unicode (lone surrogate)';
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'is not valid Unicode (lone surrogate)';
    }
  }
  return null;
}

/** UTF-8 encoding of a well-formed string. */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
