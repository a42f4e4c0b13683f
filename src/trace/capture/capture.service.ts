import { randomBytes } from 'node:crypto';
import type { Principal } from '../../auth/roles.ts';
import { AppError } from '../../core/errors.ts';
import type { LogAppender } from '../ledger/appender.ts';
import type { CaptureRow, EventRow } from '../ledger/rows.ts';
import type { OrgService } from '../orgs/org.service.ts';
import { authenticateCapture, type CaptureSigner } from './capture-auth.ts';
import type { PreparePool } from './prepare-pool.ts';
import { bodyText } from './prepare-text.ts';

/**
 * A new capture ID: `c_` + 12 hex digits of the creation time (ms) + 12 random hex digits. Time
 * first makes IDs sort by creation (job listings page in that order) and keeps the primary-key
 * index append-only instead of inserting at random places.
 */
export function captureId(ms: number): string {
  if (randomAt + 6 > randomPool.length) {
    randomPool = randomBytes(6 * 512);
    randomAt = 0;
  }
  const tail = randomPool.toString('hex', randomAt, randomAt + 6);
  randomAt += 6;
  return `c_${ms.toString(16).padStart(12, '0')}${tail}`;
}

// CSPRNG bytes drawn 3 KiB at a time: one randomBytes call per capture cost more than the rest of
// a single-event capture's bookkeeping.
let randomPool = Buffer.alloc(0);
let randomAt = 0;

/** One capture request as the HTTP layer hands it over. */
export interface CaptureRequest {
  /** The exact request body bytes (what the organisation signed). */
  readonly body: Uint8Array;
  readonly kind: 'document' | 'event';
  readonly behaviour: 'rollback' | 'proceed';
  readonly signatureHeader?: string;
  readonly orgHeader?: string;
  readonly principal: Principal | null;
  /** Ends the announcement made when the request started arriving ({@link CaptureService.announce}). */
  readonly announced?: () => void;
}

/** The stored capture job and the events that became leaves. */
export interface CaptureOutcome {
  readonly capture: CaptureRow;
  readonly signer: CaptureSigner;
  readonly events: readonly EventRow[];
  readonly duplicates: readonly string[];
}

/**
 * EPCIS 2.0 capture (REST binding `POST /capture` and `POST /events`): authenticate the caller and
 * the organisation's signature, parse and validate (on the prepare worker pool), then append
 * through the group-commit appender. The job is finished when this resolves (the 202 answer points at a completed job).
 */
export class CaptureService {
  constructor(
    private readonly orgs: OrgService,
    private readonly appender: LogAppender,
    private readonly pool: PreparePool,
  ) {}

  /**
   * Tells the appender that a capture is on its way (call it when the request's headers are in,
   * before its body has arrived); returns the idempotent function that withdraws the announcement
   * (capture() calls it, and so should the end of the request). The appender waits a little for
   * arriving captures, so one commit covers more of them.
   */
  announce(): () => void {
    return this.appender.arriving();
  }

  async capture(req: CaptureRequest): Promise<CaptureOutcome> {
    const ready = this.appender.preparing();
    req.announced?.();
    try {
      return await this.captureAnnounced(req, ready);
    } finally {
      ready();
    }
  }

  private async captureAnnounced(req: CaptureRequest, ready: () => void): Promise<CaptureOutcome> {
    // The signature is checked before the (costlier) parse and validation.
    const signer = await authenticateCapture(this.orgs, req.body, { signature: req.signatureHeader, org: req.orgHeader }, req.principal);
    const prepared = await this.pool.run({ body: req.body, kind: req.kind, behaviour: req.behaviour });
    const text = prepared.text ?? bodyText(req.body);
    const createdAt = Date.now();
    const appended = this.appender.append({
      capture: {
        id: captureId(createdAt),
        orgId: signer.orgId,
        keyId: signer.keyId,
        digest: signer.digest,
        signature: signer.signature,
        body: text,
        behaviour: req.behaviour,
        createdAt,
        apiKeyId: req.principal?.keyId ?? null,
      },
      orgCode: signer.orgCode,
      preErrors: prepared.problems,
      events: prepared.events,
    });
    ready();
    const result = await appended;
    if (result.kind === 'replay') throw new AppError('CONFLICT', 'this signed capture was already recorded (same body digest)');
    if (req.kind === 'event' && result.duplicates.length > 0) throw new AppError('CONFLICT', `an event with eventID ${result.duplicates[0]} is already stored`);
    return { capture: result.capture, signer, events: result.events, duplicates: result.duplicates };
  }
}
