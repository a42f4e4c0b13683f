/**
 * Worker thread of {@link PreparePool}: parses and validates capture bodies and computes their
 * Event Hash IDs and indexed fields (the CPU-heavy, lock-free part of a capture) off the thread
 * that serves HTTP and appends to the log.
 */
import { parentPort } from 'node:worker_threads';
import { isAppError } from '../../core/errors.ts';
import { prepareText, type PrepareRequest } from './prepare-text.ts';

parentPort!.on('message', (m: PrepareRequest & { id: number }) => {
  try {
    // The text stays here: the main thread decodes the body itself rather than receive a copy.
    const { events, problems } = prepareText(m);
    parentPort!.postMessage({ id: m.id, ok: true, result: { events, problems } });
  } catch (e) {
    const err = isAppError(e) ? { code: e.code, message: e.message, details: e.details } : { code: 'INTERNAL', message: (e as Error).message };
    parentPort!.postMessage({ id: m.id, ok: false, error: err });
  }
});
