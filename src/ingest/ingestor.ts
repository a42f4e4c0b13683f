import type { Logger } from 'pino';
import { can, type Principal } from '../auth/roles.ts';
import { isAppError } from '../core/errors.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import { parseObservation } from '../sensing/write/observation-input.ts';
import type { ObservationInput } from '../sensing/write/observation-writer.ts';
import { misfit, resultMisfit } from '../sensing/write/result-type.ts';
import { parseInstant } from '../sensing/write/values.ts';
import type { IngestMetrics, RejectReason } from './metrics.ts';
import type { StreamCache, StreamInfo } from './stream-cache.ts';
import { type CreateTopic, createPathOf } from './topics.ts';

/** What became of one message: written (all or some of its data points) or refused, and why. */
export type Outcome = { ok: true; written: number; refusedPoints: number } | { ok: false; reason: RejectReason; message: string };

class Refusal extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns a message published to a create topic into Observations and writes them through the
 * service's one write path (group commit; resolves after commit). The same code serves the embedded
 * broker and the bridge, and the same rules as HTTP apply: `write:observations` role, a device key
 * only into its own Things, the §8.2.7 Observation rules. Bad input is refused with a reason
 * (counted and logged, rate-limited); storage failures throw, so that no acknowledgement is sent.
 */
export class Ingestor {
  private logBudget = 20;
  /** The messages counter per transport, its label looked up once (per message it showed in profiles). */
  private readonly messageCounters = new Map<string, { inc(): void }>();
  private logRefill = Date.now();

  constructor(
    private readonly sensing: SensingService,
    private readonly cache: StreamCache,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  async handle(principal: Principal | null, topic: CreateTopic, payload: Buffer, transport: string, who = ''): Promise<Outcome> {
    let counter = this.messageCounters.get(transport);
    if (!counter) {
      counter = this.metrics.messages.labels(transport);
      this.messageCounters.set(transport, counter);
    }
    counter.inc();
    try {
      const written = topic.kind === 'telemetry' ? await this.telemetry(principal, topic.deviceId, payload) : await this.observation(principal, topic, payload);
      return { ok: true, ...written };
    } catch (e) {
      const r = e instanceof Refusal ? e : isAppError(e) && e.status < 500 ? new Refusal(reasonOf(e.code), e.message) : null;
      if (!r) throw e;
      this.refuse(r.reason, r.message, topic, who);
      return { ok: false, reason: r.reason, message: r.message };
    }
  }

  /** Counts and logs one refusal. */
  refuse(reason: RejectReason, message: string, topic: unknown, who: string, n = 1): void {
    this.metrics.rejected.inc({ reason }, n);
    this.warn({ reason, topic, client: who }, `ingest refused: ${message}`);
  }

  /** A warning, at most ~20 lines a second: a misbehaving or hostile client cannot flood the log. */
  warn(obj: object, message: string): void {
    const now = Date.now();
    if (now - this.logRefill > 1000) {
      this.logBudget = 20;
      this.logRefill = now;
    }
    if (this.logBudget-- > 0) this.logger.warn(obj, message);
  }

  private authorize(p: Principal | null): Principal {
    if (!p) throw new Refusal('unauthenticated', 'Anonymous clients may not publish; connect with an API key as the password');
    if (!can(p, 'write:observations')) throw new Refusal('forbidden', `The ${p.role} role may not create Observations`);
    return p;
  }

  private checkScope(p: Principal, thingId: number, what: string): void {
    if (p.thingScope && !p.thingScope.has(thingId)) throw new Refusal('forbidden', `This key may not write to ${what}`);
  }

  /** §14.2.1: the payload is an Observation as in an HTTP POST to the same path. */
  private async observation(p0: Principal | null, topic: Exclude<CreateTopic, { kind: 'telemetry' }>, payload: Buffer): Promise<{ written: number; refusedPoints: number }> {
    const p = this.authorize(p0);
    const body = jsonObject(payload);
    const links: { datastreamId?: number; multiDatastreamId?: number; featureOfInterestId?: number } = {};
    if (topic.kind === 'datastream') links.datastreamId = topic.id;
    if (topic.kind === 'multidatastream') links.multiDatastreamId = topic.id;
    if (topic.kind === 'foi') links.featureOfInterestId = topic.id;
    for (const [key, field] of [['Datastream', 'datastreamId'], ['MultiDatastream', 'multiDatastreamId'], ['FeatureOfInterest', 'featureOfInterestId']] as const) {
      const v = body[key];
      if (v === undefined || v === null) continue;
      const link = linkOf(v);
      if (link === null) {
        // An inline entity (deep insert, §10.2.1.2): the full create path handles it.
        const created = await this.sensing.create({ principal: p, root: '' }, createPathOf(topic), body);
        void created;
        return { written: 1, refusedPoints: 0 };
      }
      if (links[field] !== undefined && links[field] !== link) throw new Refusal('invalid', `${key} in the body differs from the topic`);
      links[field] = link;
    }
    const input = parseObservation(body, links);
    const stream = await this.streamOf(input);
    this.checkScope(p, stream.thingId, `${stream.kind === 'd' ? 'Datastream' : 'MultiDatastream'}(${stream.id})`);
    const wrong = resultMisfit(stream.id, stream.types, input.result, stream.arity);
    if (wrong) throw new Refusal('wrong_type', wrong);
    if (input.featureOfInterestId !== undefined && !(await this.cache.foiExists(input.featureOfInterestId))) {
      throw new Refusal('unknown_stream', `FeatureOfInterest(${input.featureOfInterestId}) does not exist`);
    }
    await this.sensing.writeObservations([input]);
    return { written: 1, refusedPoints: 0 };
  }

  private async streamOf(o: ObservationInput): Promise<StreamInfo> {
    const kind = o.datastreamId !== undefined ? 'd' : 'm';
    const id = (o.datastreamId ?? o.multiDatastreamId)!;
    const s = await this.cache.stream(kind, id);
    if (!s) throw new Refusal('unknown_stream', `${kind === 'd' ? 'Datastream' : 'MultiDatastream'}(${id}) does not exist`);
    return s;
  }

  /** `{"ts": …, "<code>": value, …}` → one Observation per known code, written together. */
  private async telemetry(p0: Principal | null, deviceId: string, payload: Buffer): Promise<{ written: number; refusedPoints: number }> {
    const p = this.authorize(p0);
    const body = jsonObject(payload);
    const device = await this.cache.device(deviceId);
    if (!device) throw new Refusal('unknown_stream', `No Thing has deviceId "${deviceId}"`);
    this.checkScope(p, device.thingId, `Thing(${device.thingId})`);
    const ts = body.ts === undefined || body.ts === null ? Date.now() : tsOf(body.ts);
    const batch: ObservationInput[] = [];
    const refused: [RejectReason, string][] = [];
    for (const key of Object.keys(body)) {
      if (key === 'ts') continue;
      const v = body[key];
      const s = device.codes.get(key);
      if (!s) {
        refused.push(['unknown_code', `Thing(${device.thingId}) has no Datastream with code "${key}"`]);
        continue;
      }
      // Codes name Datastreams only; a null value is no reading, so it is refused rather than stored.
      const wrong = v === null ? 'must not be null' : s.types.kind === 'd' ? misfit(s.types.type, v) : null;
      if (wrong) refused.push(['wrong_type', `"${key}" ${wrong}`]);
      else batch.push({ datastreamId: s.id, phenomenonStart: ts, result: v });
    }
    if (batch.length === 0) {
      const [reason, message] = refused[0] ?? ['invalid', 'The telemetry message has no data points'];
      throw new Refusal(reason, message);
    }
    for (const [reason, message] of refused) this.refuse(reason, message, `devices/${deviceId}`, p.userName);
    await this.sensing.writeObservations(batch);
    return { written: batch.length, refusedPoints: refused.length };
  }
}

function jsonObject(payload: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new Refusal('malformed', `The payload is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Refusal('malformed', 'The payload must be a JSON object');
  return v as Record<string, unknown>;
}

/** `{"@iot.id": n}` → n; an inline entity → null; anything else is refused. */
function linkOf(v: unknown): number | null {
  if (typeof v !== 'object' || Array.isArray(v)) throw new Refusal('invalid', 'A link must be an object like {"@iot.id": 1}');
  const o = v as Record<string, unknown>;
  if (!('@iot.id' in o)) return null;
  const id = o['@iot.id'];
  if (!Number.isSafeInteger(id) || (id as number) < 1) throw new Refusal('invalid', '@iot.id must be a positive integer');
  return id as number;
}

/** `ts` is an ISO 8601 instant with offset, or epoch milliseconds. */
function tsOf(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0 || v > 8.64e15) throw new Refusal('invalid', '"ts" must be epoch milliseconds or an ISO 8601 instant');
    return Math.round(v);
  }
  try {
    return parseInstant(v, 'ts');
  } catch (e) {
    throw new Refusal('invalid', (e as Error).message);
  }
}

function reasonOf(code: string): RejectReason {
  if (code === 'UNAUTHENTICATED') return 'unauthenticated';
  if (code === 'FORBIDDEN') return 'forbidden';
  if (code === 'NOT_FOUND') return 'unknown_stream';
  if (code === 'WRONG_TYPE') return 'wrong_type';
  if (code === 'INVALID_ENTITY') return 'unknown_stream';
  return 'invalid';
}
