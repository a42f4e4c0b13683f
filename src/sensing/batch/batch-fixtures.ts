/**
 * Test helpers: build multipart batch bodies the way clients write them (OData 4.0 Part 1 §11.7.2)
 * and read multipart batch responses back into statuses, headers and JSON bodies.
 */
import assert from 'node:assert/strict';
import { boundaryOf, mediaType, parseHeaders, splitHead, splitMultipart } from './multipart.ts';

const CRLF = '\r\n';

/** A multipart body from already formatted parts. */
export function multipart(boundary: string, parts: readonly string[]): string {
  return `${parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join('')}--${boundary}--`;
}

/** An `application/http` part holding one request line, its headers and a JSON (or raw) body. */
export function httpPart(line: string, opts: { id?: string; body?: unknown; headers?: string[] } = {}): string {
  const part = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (opts.id !== undefined) part.push(`Content-ID: ${opts.id}`);
  const headers = [...(opts.body !== undefined ? ['Content-Type: application/json'] : []), ...(opts.headers ?? [])];
  const body = opts.body === undefined ? '' : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return `${part.join(CRLF)}${CRLF}${CRLF}${line}${CRLF}${headers.map((h) => h + CRLF).join('')}${CRLF}${body}`;
}

/** A change set part: a nested multipart/mixed of request parts. */
export function changeset(boundary: string, parts: readonly string[]): string {
  return `Content-Type: multipart/mixed; boundary=${boundary}${CRLF}${CRLF}${multipart(boundary, parts)}`;
}

/** One part of a batch response: an HTTP response, or a change set's nested responses. */
export interface ResponsePart {
  contentId?: string;
  status: number;
  headers: Map<string, string>;
  body?: unknown;
  changeset?: ResponsePart[];
}

/** Parses a multipart batch response, checking each part's framing on the way. */
export function readBatchResponse(contentType: unknown, text: string): ResponsePart[] {
  assert.equal(typeof contentType, 'string');
  assert.equal(mediaType(contentType as string), 'multipart/mixed');
  return splitMultipart(text, boundaryOf(contentType as string)).map((p): ResponsePart => {
    const type = p.headers.get('content-type') ?? '';
    if (mediaType(type) === 'multipart/mixed') return { status: 0, headers: new Map(), changeset: readBatchResponse(type, p.body) };
    assert.equal(type, 'application/http');
    const { head, body } = splitHead(p.body);
    const [statusLine, ...lines] = head.split(CRLF);
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '');
    assert.ok(m, `status line: ${statusLine}`);
    const headers = parseHeaders(lines.join(CRLF), 'response');
    const json = (headers.get('content-type') ?? '').startsWith('application/json');
    return { contentId: p.headers.get('content-id'), status: Number(m[1]), headers, body: body ? (json ? JSON.parse(body) : body) : undefined };
  });
}
