/**
 * The multipart batch format (OGC 18-088 §11, OData 4.0 Part 1 §11.7): a `multipart/mixed` body
 * whose parts are individual requests (`application/http`) or change sets (a nested
 * `multipart/mixed` of requests), answered by a `multipart/mixed` body with one part per request
 * or change set, in the same order (§11.7.4).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { AppError } from '../../core/errors.ts';
import { BATCH_METHODS, type BatchExecutor, type BatchMethod, type BatchRequest, MAX_BATCH_REQUESTS, type Outcome } from './executor.ts';
import { boundaryOf, clip, type MimePart, mediaType, type OutPart, parseHeaders, splitHead, splitMultipart, writeMultipart } from './multipart.ts';

/** A top-level part: one request, or a change set of requests. */
export type MultipartUnit = { kind: 'request'; req: BatchRequest } | { kind: 'changeset'; reqs: BatchRequest[] };

/** The answer to a unit: one response part, or a change set's nested responses. */
export type MultipartAnswer = { kind: 'response'; id?: string; outcome: Outcome } | { kind: 'changeset'; items: { id?: string; outcome: Outcome }[] };

function invalid(message: string): AppError {
  return new AppError('INVALID_BATCH', message);
}

/**
 * Parses the whole batch before anything runs, so a malformed batch changes nothing. Change sets
 * cannot nest and cannot hold GET requests (OData 4.0 §11.7.3); Content-IDs are unique.
 */
export function parseMultipartBatch(body: unknown, contentType: string | undefined): MultipartUnit[] {
  if (typeof body !== 'string') throw invalid('The batch body is missing');
  const units: MultipartUnit[] = [];
  const ids = new Set<string>();
  let count = 0;
  const request = (part: MimePart, where: string): BatchRequest => {
    if (++count > MAX_BATCH_REQUESTS) throw invalid(`A batch may hold at most ${MAX_BATCH_REQUESTS} requests`);
    const req = parseHttpRequest(part, where);
    if (req.id !== undefined) {
      if (ids.has(req.id)) throw invalid(`Content-ID "${clip(req.id, 40)}" is used twice in the batch`);
      ids.add(req.id);
    }
    return req;
  };
  const parts = splitMultipart(body, boundaryOf(contentType));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const type = mediaType(part.headers.get('content-type'));
    if (type === 'application/http') units.push({ kind: 'request', req: request(part, `part ${i + 1}`) });
    else if (type === 'multipart/mixed') {
      const inner = splitMultipart(part.body, boundaryOf(part.headers.get('content-type')));
      if (inner.length === 0) throw invalid(`The change set in part ${i + 1} holds no requests`);
      const reqs = inner.map((p, j) => {
        const where = `part ${i + 1}.${j + 1}`;
        if (mediaType(p.headers.get('content-type')) === 'multipart/mixed') throw invalid(`Change sets cannot be nested (${where})`);
        const req = request(p, where);
        if (req.method === 'GET') throw invalid(`A change set cannot hold a GET request (${where}); put it outside the change set`);
        return req;
      });
      units.push({ kind: 'changeset', reqs });
    } else throw invalid(`Part ${i + 1} has Content-Type "${clip(type || '(none)', 60)}"; expected application/http or multipart/mixed`);
  }
  return units;
}

/** An `application/http` part: request line, headers, empty line, body (RFC 7230 §3). */
function parseHttpRequest(part: MimePart, where: string): BatchRequest {
  const type = mediaType(part.headers.get('content-type'));
  if (type !== 'application/http') throw invalid(`The request in ${where} must have Content-Type application/http, not "${clip(type || '(none)', 60)}"`);
  const cte = (part.headers.get('content-transfer-encoding') ?? 'binary').toLowerCase();
  if (!['binary', '7bit', '8bit'].includes(cte)) throw invalid(`Content-Transfer-Encoding "${clip(cte, 40)}" in ${where} is not supported; use binary`);
  const { head, body } = splitHead(part.body.replace(/^(\r?\n)+/, ''));
  const nl = head.search(/\r?\n/);
  const line = nl < 0 ? head : head.slice(0, nl);
  const m = /^([A-Za-z]+) +(\S+)(?: +HTTP\/1\.[01])? *$/.exec(line);
  if (!m) throw invalid(`The request line in ${where} is not "METHOD URL HTTP/1.1": "${clip(line)}"`);
  const method = m[1]!.toUpperCase() as BatchMethod;
  if (!BATCH_METHODS.includes(method)) throw invalid(`Method ${clip(m[1]!, 20)} in ${where} is not supported in a batch`);
  const id = part.headers.get('content-id');
  return { id: id === undefined || id === '' ? undefined : id, method, url: m[2]!, headers: parseHeaders(nl < 0 ? '' : head.slice(nl + 1), where), text: body };
}

/**
 * Runs the units in order. A `$id` reference resolves only inside its own change set
 * (OData 4.0 §11.7.3.1). A failed request or change set does not stop the batch.
 */
export async function runMultipartBatch(units: readonly MultipartUnit[], exec: BatchExecutor): Promise<MultipartAnswer[]> {
  const answers: MultipartAnswer[] = [];
  for (const u of units) {
    if (u.kind === 'request') {
      answers.push({ kind: 'response', id: u.req.id, outcome: await exec.runOne(u.req, new Map()) });
      continue;
    }
    const r = await exec.runChangeset(u.reqs, new Map());
    if (r.ok) answers.push({ kind: 'changeset', items: r.outcomes.map((outcome, i) => ({ id: u.reqs[i]!.id, outcome })) });
    else answers.push({ kind: 'response', id: u.reqs[r.failed]!.id, outcome: r.outcome });
  }
  return answers;
}

/**
 * Writes the batch response (OData 4.0 §11.7.4): one `application/http` part per request, a nested
 * `multipart/mixed` per committed change set with each Content-ID echoed, and a single response
 * part for a change set that failed.
 */
export function writeMultipartBatch(answers: readonly MultipartAnswer[]): { contentType: string; body: string } {
  const boundary = `batchresponse_${randomUUID()}`;
  const parts: OutPart[] = answers.map((a) => {
    if (a.kind === 'response') return httpPart(a.id, a.outcome);
    const inner = `changesetresponse_${randomUUID()}`;
    return { headers: [['Content-Type', `multipart/mixed; boundary=${inner}`]], body: writeMultipart(inner, a.items.map((x) => httpPart(x.id, x.outcome))).replace(/\r\n$/, '') };
  });
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: writeMultipart(boundary, parts) };
}

function httpPart(id: string | undefined, o: Outcome): OutPart {
  const headers: [string, string][] = [['Content-Type', 'application/http'], ['Content-Transfer-Encoding', 'binary']];
  if (id !== undefined) headers.push(['Content-ID', id]);
  let msg = `HTTP/1.1 ${o.status} ${STATUS_CODES[o.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(o.headers)) msg += `${k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())}: ${v}\r\n`;
  msg += '\r\n';
  if (o.body !== undefined) msg += typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return { headers, body: msg };
}
