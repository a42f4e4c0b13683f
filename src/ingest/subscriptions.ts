import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Principal } from '../auth/roles.ts';
import { ENTITIES, type EntityName } from '../sensing/model/entities.ts';
import { publicOnly } from '../sensing/read/constraints.ts';
import { resolvePath } from '../sensing/read/resolve.ts';
import type { SensingService } from '../sensing/sensing.service.ts';
import { type Change, renderObservation } from './changes.ts';
import type { IngestMetrics } from './metrics.ts';
import type { StreamCache } from './stream-cache.ts';
import { SerialQueue } from './serial.ts';
import type { SubTopic } from './topics.ts';

/** Reads on behalf of the notifier see everything; who may receive what is decided per client. */
export const SYSTEM: Principal = { userId: 0, userName: 'system', keyId: 0, role: 'admin', thingScope: null };

interface Sub {
  readonly topic: string;
  readonly t: SubTopic;
  /** clientId → anonymous?, granted QoS */
  readonly clients: Map<string, { anon: boolean; qos: number }>;
  /** Property topics: the last value sent, to publish only on change. */
  last?: string;
}

/** The topics that clients of the embedded broker are subscribed to, indexed by entity type and by client. */
export class Subscriptions {
  private readonly byTopic = new Map<string, Sub>();
  private readonly byEntity = new Map<string, Set<Sub>>();
  private readonly byClient = new Map<string, Set<string>>();

  /** `perClient`: topics one client may hold at once (each costs memory here and in Aedes, and a read to grant). */
  constructor(readonly perClient: number) {}

  /**
   * Counts `topic` among the client's before it is granted, so that the topics of one SUBSCRIBE
   * are taken in their order while their checks run at once; false when it would be one too many.
   */
  claim(clientId: string, topic: string): boolean {
    let held = this.byClient.get(clientId);
    if (held?.has(topic)) return true;
    if (held && held.size >= this.perClient) return false;
    if (!held) {
      held = new Set();
      this.byClient.set(clientId, held);
    }
    held.add(topic);
    return true;
  }

  /** A claim that was not granted (unless the client held the topic already). */
  unclaim(clientId: string, topic: string): void {
    if (this.byTopic.get(topic)?.clients.has(clientId)) return;
    const held = this.byClient.get(clientId);
    if (held?.delete(topic) && held.size === 0) this.byClient.delete(clientId);
  }

  add(clientId: string, anon: boolean, topic: string, t: SubTopic, qos: number, initial?: string): void {
    let s = this.byTopic.get(topic);
    if (!s) {
      s = { topic, t, clients: new Map(), last: initial };
      this.byTopic.set(topic, s);
      let set = this.byEntity.get(t.entity);
      if (!set) {
        set = new Set();
        this.byEntity.set(t.entity, set);
      }
      set.add(s);
    }
    s.clients.set(clientId, { anon, qos });
    let held = this.byClient.get(clientId);
    if (!held) {
      held = new Set();
      this.byClient.set(clientId, held);
    }
    held.add(topic);
  }

  remove(clientId: string, topic: string): void {
    const held = this.byClient.get(clientId);
    if (held?.delete(topic) && held.size === 0) this.byClient.delete(clientId);
    const s = this.byTopic.get(topic);
    if (!s?.clients.delete(clientId) || s.clients.size > 0) return;
    this.byTopic.delete(topic);
    this.byEntity.get(s.t.entity)?.delete(s);
  }

  removeClient(clientId: string): void {
    for (const topic of [...(this.byClient.get(clientId) ?? [])]) this.remove(clientId, topic);
  }

  of(entity: string): ReadonlySet<Sub> | undefined {
    return this.byEntity.get(entity);
  }

  get size(): number {
    return this.byTopic.size;
  }
}

/**
 * Receive-updates (OGC 18-088 §14.2.2): for each created or updated entity, publishes to every
 * subscribed topic it belongs to — the entity JSON for entity-set, navigation-collection and entity
 * topics (only `$select`-ed properties when asked), `{"name": value}` for property topics when the
 * value changed. Observations carry their values (no read-back); other entities are read once per
 * change. Payloads of private entities are marked so anonymous subscribers never receive them.
 */
export class MqttNotifier {
  private readonly sending: SerialQueue;

  constructor(
    private readonly sensing: SensingService,
    private readonly subs: Subscriptions,
    private readonly cache: StreamCache,
    private readonly publish: (topic: string, payload: Buffer, qos: number, privateData: boolean) => void,
    private readonly root: string,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {
    this.sending = new SerialQueue((err) => this.logger.error({ err }, 'MQTT notification failed'));
  }

  handle(batch: Change[]): void {
    if (this.subs.size === 0) return;
    if (this.sending.backlog > 100_000) {
      this.metrics.notifyDropped.inc({ consumer: 'mqtt' }, batch.length);
      return;
    }
    this.sending.add(batch.length, () => this.run(batch));
  }

  /** Resolves when every batch handed over so far is published. */
  idle(): Promise<void> {
    return this.sending.idle();
  }

  private async run(batch: Change[]): Promise<void> {
    for (const c of batch) {
      const subs = this.subs.of(c.e);
      if (!subs || subs.size === 0) continue;
      const rendered = new Map<string, Buffer>();
      let isPublic: boolean | undefined;
      for (const s of [...subs]) {
        if (!(await this.matches(s.t, c))) continue;
        let payload: Buffer;
        if (s.t.mode === 'property') {
          if (c.k !== 'update') continue;
          const prop = s.t.path.property!.name;
          const r = await this.sensing.get({ principal: SYSTEM, root: this.root }, `${ENTITIES[c.e as EntityName].set}(${c.id})/${prop}`, new URLSearchParams());
          const text = JSON.stringify(r.body);
          if (text === s.last) continue;
          s.last = text;
          payload = Buffer.from(text);
        } else {
          const key = s.t.select?.join(',') ?? '';
          let p = rendered.get(key);
          if (!p) {
            p = await this.render(c, s.t.select);
            rendered.set(key, p);
          }
          payload = p;
        }
        let anonymousThere = false;
        let qos = 0;
        for (const v of s.clients.values()) {
          anonymousThere ||= v.anon;
          qos = Math.max(qos, v.qos);
        }
        if (anonymousThere && isPublic === undefined) isPublic = await this.isPublic(c);
        this.publish(s.topic, payload, qos, anonymousThere && isPublic === false);
      }
    }
  }

  private async matches(t: SubTopic, c: Change): Promise<boolean> {
    const f = t.fast;
    if (f?.kind === 'set') return true;
    if (f?.kind === 'id') return f.id === c.id;
    if (f?.kind === 'child' && c.o) return c.o[f.key] === f.id;
    try {
      const r = await resolvePath(this.sensing.db, t.path, false);
      if (t.mode !== 'collection') return r.id === c.id;
      const e = ENTITIES[c.e as EntityName];
      const hit = await sql`SELECT 1 AS x FROM ${sql.table(e.table)} AS e WHERE ${sql.join([...r.where, sql`e.id = ${c.id}`], sql` AND `)}`.execute(this.sensing.db.kysely);
      return hit.rows.length > 0;
    } catch {
      return false; // the path no longer resolves (an entity on it was deleted)
    }
  }

  private async render(c: Change, select?: readonly string[]): Promise<Buffer> {
    if (c.e === 'Observation' && c.o) return Buffer.from(JSON.stringify(renderObservation(this.root, c.id, c.o, select)));
    const q = new URLSearchParams(select ? { $select: select.join(',') } : {});
    const r = await this.sensing.get({ principal: SYSTEM, root: this.root }, `${ENTITIES[c.e as EntityName].set}(${c.id})`, q);
    return Buffer.from(JSON.stringify(r.body));
  }

  private isPublic(c: Change): Promise<boolean> {
    return isPublicChange(this.sensing, this.cache, c);
  }
}

/** Whether anonymous clients may see the changed entity (the HTTP visibility rules of constraints.ts). */
export async function isPublicChange(sensing: SensingService, cache: StreamCache, c: Change): Promise<boolean> {
  if (c.e === 'Observation' && c.o) {
    const s = await cache.stream(c.o.ds !== null ? 'd' : 'm', (c.o.ds ?? c.o.mds)!);
    return s?.isPublic ?? false;
  }
  const e = ENTITIES[c.e as EntityName];
  const cond = publicOnly(e, 'e');
  if (!cond) return true;
  const r = await sql`SELECT 1 AS x FROM ${sql.table(e.table)} AS e WHERE e.id = ${c.id} AND ${cond}`.execute(sensing.db.kysely);
  return r.rows.length > 0;
}
