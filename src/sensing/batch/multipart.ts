/**
 * The MIME pieces a multipart batch is made of (RFC 2046 §5.1 multipart syntax, RFC 7230 §3
 * message headers). Only what OData 4.0 Part 1 §11.7 needs: split a `multipart/mixed` body into
 * parts, read a part's headers, write a multipart body back. Every malformation is a 400
 * INVALID_BATCH naming the problem. Line breaks are CRLF on output; LF alone is accepted on input.
 */
import { AppError } from '../../core/errors.ts';

/** One body part: its headers (names lower-cased) and its content. */
export interface MimePart {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** More parts than this in one multipart body is refused before any of them runs. */
export const MAX_PARTS = 1000;
const MAX_HEADERS = 100;
const CRLF = '\r\n';

function invalid(message: string): AppError {
  return new AppError('INVALID_BATCH', message);
}

/** `multipart/mixed; boundary=x` → `multipart/mixed` (lower case, no parameters). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The `boundary` parameter of a multipart content type (RFC 2046 §5.1.1: 1 to 70 characters). */
export function boundaryOf(contentType: string | undefined): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType ?? '');
  const b = m ? (m[1] ?? m[2] ?? '') : '';
  if (!b) throw invalid(`The Content-Type "${clip(contentType ?? '')}" has no boundary parameter, e.g. multipart/mixed; boundary=batch_1`);
  if (b.length > 70 || !/^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(b)) {
    throw invalid(`The boundary "${clip(b)}" is not valid (RFC 2046 §5.1.1: 1 to 70 letters, digits or '()+_,-./:=? )`);
  }
  return b;
}

/**
 * Splits a multipart body at its delimiter lines (`--boundary` at the start of a line) up to the
 * close delimiter (`--boundary--`). The preamble before the first delimiter and the epilogue after
 * the close delimiter are ignored, as RFC 2046 says.
 */
export function splitMultipart(body: string, boundary: string, maxParts = MAX_PARTS): MimePart[] {
  const delim = `--${boundary}`;
  let pos = findDelimiter(body, delim, 0);
  if (pos < 0) throw invalid(`The body has no delimiter line "${clip(delim)}"`);
  const parts: MimePart[] = [];
  for (;;) {
    const after = pos + delim.length;
    if (body.startsWith('--', after)) return parts;
    const eol = body.indexOf('\n', after);
    if (eol < 0) throw invalid(`The body ends without the close delimiter "${clip(delim)}--"`);
    const start = eol + 1;
    const next = findDelimiter(body, delim, start);
    if (next < 0) throw invalid(`The body ends without the close delimiter "${clip(delim)}--"`);
    let end = next;
    if (end > start && body[end - 1] === '\n') end--;
    if (end > start && body[end - 1] === '\r') end--;
    if (parts.length >= maxParts) throw invalid(`A multipart body may hold at most ${maxParts} parts`);
    parts.push(parsePart(body.slice(start, end), parts.length + 1));
    pos = next;
  }
}

/** Index of the next line that is a delimiter (followed by `--`, white space or a line break). */
function findDelimiter(body: string, delim: string, from: number): number {
  let i = from;
  for (;;) {
    i = body.indexOf(delim, i);
    if (i < 0) return -1;
    const c = body[i + delim.length];
    const atLineStart = i === 0 || body[i - 1] === '\n';
    if (atLineStart && (c === undefined || c === '-' || c === '\r' || c === '\n' || c === ' ' || c === '\t')) return i;
    i += delim.length;
  }
}

function parsePart(text: string, n: number): MimePart {
  const { head, body } = splitHead(text);
  return { headers: parseHeaders(head, `part ${n}`), body };
}

/** Splits a message at its first empty line into the header block and the body. */
export function splitHead(text: string): { head: string; body: string } {
  if (text.startsWith('\r\n')) return { head: '', body: text.slice(2) };
  if (text.startsWith('\n')) return { head: '', body: text.slice(1) };
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/** `Name: value` lines (RFC 7230 §3.2; folded continuation lines are joined). */
export function parseHeaders(head: string, where: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  let count = 0;
  for (const line of head.split(/\r?\n/)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw invalid(`Malformed header line in ${where}: "${clip(line)}"`);
    if (++count > MAX_HEADERS) throw invalid(`More than ${MAX_HEADERS} header lines in ${where}`);
    last = line.slice(0, colon).toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return headers;
}

/** One part to write: header pairs in order, then the content. */
export interface OutPart {
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Writes parts as a multipart body with CRLF line breaks and the close delimiter. */
export function writeMultipart(boundary: string, parts: readonly OutPart[]): string {
  let out = '';
  for (const p of parts) {
    out += `--${boundary}${CRLF}`;
    for (const [k, v] of p.headers) out += `${k}: ${v}${CRLF}`;
    out += `${CRLF}${p.body}${CRLF}`;
  }
  return `${out}--${boundary}--${CRLF}`;
}

/** Quotes user text in messages without letting it grow them. */
export function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
