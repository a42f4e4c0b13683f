import { sql } from 'kysely';
import type { Principal } from '../../auth/roles.ts';
import { isAppError } from '../../core/errors.ts';
import type { Platform } from '../../server/platform.ts';
import { cosignatureSigner } from '../log/cosignature.ts';
import { encodeVerifierKey, generateNoteKeys, parseSignerKey, SIG_TYPE_COSIGNATURE_V1 } from '../log/note-keys.ts';
import { ensureSetting, getSetting } from '../settings.ts';
import { localLogClient, memoryState } from '../witness/local-client.ts';
import { witnessOnce, type WitnessState } from '../witness/witness.ts';
import { type DemoCapture, pangasiusChain, riceChain } from './demo-chains.ts';
import { DEMO_LOTS } from './demo-ids.ts';
import { DEMO_LOCATIONS, DEMO_ORGS, DEMO_PRODUCTS } from './demo-orgs.ts';

/** Name of the demo witness key (Sở KH&CN Cần Thơ): its verifier key is pinned in demo mode. */
export const DEMO_WITNESS_NAME = 'sokhcn.cantho.gov.vn/witness';

const DEMO_ADMIN: Principal = { userId: 0, userName: 'demo', keyId: 0, role: 'admin', thingScope: null, orgScope: null };
const DAY = 86_400_000;

/** What the demo seeded (for the console and tests). */
export interface TraceDemo {
  readonly lots: typeof DEMO_LOTS;
  readonly witnessKey: string;
  /** Resolves after the first witness round has cosigned the seeded log. */
  readonly witnessed: Promise<void>;
}

/**
 * The traceability demo, idempotent on restart: organisations with custodial keys, master data, a
 * rice lot (Cờ Đỏ → Thới Lai → Ô Môn → Ninh Kiều) and a pangasius lot (Thốt Nốt → Cái Cui export),
 * captured through the real signed-capture path; and a demo witness (Sở KH&CN) whose key is
 * generated once, pinned, and which cosigns the log every few seconds so the consumer page shows
 * "verified". Event times are anchored to the first seeding day, so re-seeding yields the same
 * signed bodies and is refused as a replay (nothing is duplicated).
 */
export async function startTraceDemo(p: Platform, opts: { witnessIntervalMs?: number } = {}): Promise<TraceDemo> {
  const t = p.trace;
  for (const o of DEMO_ORGS) {
    let id = await t.orgs.repo.orgIdByCode(o.code);
    if (id === null) id = (await t.orgs.create(o)).id;
    if (!(await t.orgs.custodialSigner(id))) await t.orgs.addKey(o.code, { custodial: true });
  }
  for (const l of DEMO_LOCATIONS) await t.orgs.putLocation(l.gln, l, DEMO_ADMIN);
  for (const pr of DEMO_PRODUCTS) await t.orgs.putProduct(pr.gtin, pr, DEMO_ADMIN);
  const epoch = Number(await ensureSetting(p.db, 'trace.demo.epoch', () => String(Math.floor(Date.now() / DAY) * DAY)));
  // Harvests at 07:00 Vietnamese time, 12 and 9 days before the first demo start.
  const captures: DemoCapture[] = [...riceChain(epoch - 12 * DAY), ...pangasiusChain(epoch - 9 * DAY)];
  for (const c of captures) await captureOnce(p, c);

  const skey = await ensureSetting(p.db, 'trace.demo.witness.skey', () => generateNoteKeys(DEMO_WITNESS_NAME, SIG_TYPE_COSIGNATURE_V1).signerKey);
  const k = parseSignerKey(skey);
  const witnessKey = encodeVerifierKey(k.name, SIG_TYPE_COSIGNATURE_V1, k.publicKey);
  t.checkpoints.trustWitness(witnessKey);
  const saved = await getSetting(p.db, 'trace.demo.witness.state');
  const state = memoryState(saved ? (JSON.parse(saved) as WitnessState) : null, (s) => saveState(p, s));
  const round = async () => {
    await t.checkpoints.publish();
    const r = await witnessOnce({ log: localLogClient(t.checkpoints, t.proofs), logVerifier: t.checkpoints.identity.verifier, signer: cosignatureSigner(skey), state });
    if (r.status === 'fork') p.logger.error({ detail: r.detail }, 'demo witness: the log is not consistent with what it saw before; not cosigning');
  };
  const witnessed = round();
  witnessed.catch((err) => p.logger.warn({ err }, 'demo witness round failed'));
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      round()
        .catch((err) => p.logger.warn({ err }, 'demo witness round failed'))
        .finally(() => {
          if (timer) loop();
        });
    }, opts.witnessIntervalMs ?? 5000);
    timer.unref();
  };
  loop();
  t.onClose(() => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  });
  return { lots: DEMO_LOTS, witnessKey, witnessed };
}

async function captureOnce(p: Platform, c: DemoCapture): Promise<void> {
  try {
    await p.trace.capture.capture({ body: new TextEncoder().encode(JSON.stringify(c.doc)), kind: 'document', behaviour: 'rollback', orgHeader: c.org, principal: DEMO_ADMIN });
  } catch (e) {
    if (isAppError(e) && e.code === 'CONFLICT') return; // already seeded (replayed body)
    throw e;
  }
}

async function saveState(p: Platform, s: WitnessState): Promise<void> {
  const v = JSON.stringify(s);
  await sql`INSERT INTO settings (key, value) VALUES ('trace.demo.witness.state', ${v}) ON CONFLICT (key) DO UPDATE SET value = ${v}`.execute(p.db.kysely);
}
