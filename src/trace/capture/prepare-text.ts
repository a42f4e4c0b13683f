import { AppError } from '../../core/errors.ts';
import { type PreparedCapture, prepareCapture } from './prepare.ts';

/** What the HTTP layer hands to preparation: the exact body (already signature-checked). */
export interface PrepareRequest {
  readonly body: Uint8Array;
  readonly kind: 'document' | 'event';
  readonly behaviour: 'rollback' | 'proceed';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding of a body (the text is stored as the capture's exact body). */
export function bodyText(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch (e) {
    throw new AppError('INVALID_JSON', `The body is not valid UTF-8: ${(e as Error).message}`);
  }
}

/** Decodes (strict UTF-8), parses and prepares a capture body; errors are AppErrors. */
export function prepareText(req: PrepareRequest): PreparedCapture {
  let text: string;
  let doc: unknown;
  try {
    text = utf8.decode(req.body);
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppError('INVALID_JSON', `The body is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  const prepared = prepareCapture(doc, req.kind, req.behaviour);
  return { events: prepared.events, problems: prepared.problems, text };
}
