import { sql } from 'kysely';
import type { Database } from '../../storage/database.ts';
import { Frontier } from '../ledger/frontier.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { LogIdentity, TrustedWitness } from '../ledger/log-identity.ts';
import { leafTextOf } from '../ledger/proof.service.ts';
import { parseCheckpoint } from '../log/checkpoint.ts';
import { bytesEqual, leafHash, splitStoredHashIndex, storedHashCount, storedHashIndex } from '../log/merkle.ts';
import { checkNoteSignatures, parseNote } from '../log/note.ts';
import type { OrgService } from '../orgs/org.service.ts';
import { type AuditFinding, EventAuditor } from './audit-events.ts';

export type { AuditFinding } from './audit-events.ts';

/** What `cantho trace audit` reports. */
export interface AuditReport {
  readonly leaves: number;
  readonly hashes: number;
  readonly checkpoints: number;
  readonly findings: readonly AuditFinding[];
}

/** What the audit reads. */
export interface AuditDeps {
  readonly db: Database;
  readonly store: LedgerStore;
  readonly orgs: OrgService;
  readonly identity: LogIdentity;
  readonly witnesses: readonly TrustedWitness[];
}

const PAGE = 2000;
const enc = new TextEncoder();

/**
 * Re-checks the whole log against the stored rows, in one streaming pass with O(log n) memory:
 * each event against its JSON and its signed capture (audit-events.ts); each leaf hash recomputed
 * from the leaf bytes (docs/api/trace.md §4.1); every stored tree hash recomputed with the same
 * frontier arithmetic as the appender (RFC 9162 §2.1.1); every checkpoint's root against the
 * recomputed tree at its size, and its log signature and stored witness cosignatures. The tree is
 * continued with the *recomputed* hashes, so one altered row is reported once, not at every node
 * above it.
 */
export async function auditLog(d: AuditDeps, opts: { maxFindings?: number; onProgress?: (leaves: number) => void } = {}): Promise<AuditReport> {
  const findings: AuditFinding[] = [];
  const max = opts.maxFindings ?? 1000;
  const report = (f: AuditFinding) => {
    if (findings.length < max) findings.push(f);
  };
  const size = await d.store.size();
  const cps = (await sql<{ size: number }>`SELECT size FROM trace_checkpoints ORDER BY size`.execute(d.db.kysely)).rows.map((r) => Number(r.size));
  let nextCp = 0;
  const frontier = Frontier.empty();
  const auditor = new EventAuditor(d.orgs, (id) => loadCapture(d.db, id), report);
  const checkCheckpoints = async (at: number) => {
    while (nextCp < cps.length && cps[nextCp]! <= at) {
      const s = cps[nextCp++]!;
      if (s === at) await checkCheckpoint(d, s, frontier.root(), report);
    }
  };
  for (let from = 0; from < size; from += PAGE) {
    const to = Math.min(size, from + PAGE);
    const rows = await d.store.leaves(from, to);
    const hashStart = storedHashIndex(0, from);
    const stored = await readRange(d.db, hashStart, storedHashCount(to));
    let idx = hashStart;
    let expect = from;
    for (const r of rows) {
      for (; expect < r.leafIndex; expect++) {
        report({ table: 'trace_events', row: `leaf ${expect}`, problem: 'event row is missing' });
        idx = storedHashIndex(0, expect + 1);
      }
      await auditor.check(r);
      const recomputed = frontier.append(leafHash(enc.encode(leafTextOf(r))));
      for (const h of recomputed) {
        const s = stored.get(idx);
        if (!s) report({ table: 'trace_log_hashes', row: `idx ${idx}`, problem: 'stored hash is missing' });
        else if (!bytesEqual(s, h)) {
          const { level, n } = splitStoredHashIndex(idx);
          report(
            level === 0
              ? { table: 'trace_log_hashes', row: `idx ${idx} (leaf ${r.leafIndex}, ${r.eventId})`, problem: 'stored leaf hash ≠ hash of the leaf rebuilt from the event and capture rows' }
              : { table: 'trace_log_hashes', row: `idx ${idx} (level ${level}, n ${n})`, problem: 'stored tree hash ≠ recomputed' },
          );
        }
        idx++;
      }
      expect = r.leafIndex + 1;
      await checkCheckpoints(frontier.size);
    }
    opts.onProgress?.(to);
  }
  const extra = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM trace_log_hashes WHERE idx >= ${storedHashCount(size)}`.execute(d.db.kysely);
  if (Number(extra.rows[0]?.n ?? 0) > 0) report({ table: 'trace_log_hashes', row: `idx ≥ ${storedHashCount(size)}`, problem: 'hashes beyond the log size' });
  const events = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM trace_events`.execute(d.db.kysely);
  if (Number(events.rows[0]?.n) !== size) report({ table: 'trace_log_state', row: '1', problem: `size ${size} ≠ ${events.rows[0]?.n} event rows` });
  for (; nextCp < cps.length; nextCp++) report({ table: 'trace_checkpoints', row: `size ${cps[nextCp]}`, problem: 'checkpoint is beyond the log size' });
  return { leaves: size, hashes: storedHashCount(size), checkpoints: cps.length, findings };
}

async function checkCheckpoint(d: AuditDeps, size: number, root: Uint8Array, report: (f: AuditFinding) => void): Promise<void> {
  const row = `size ${size}`;
  const cp = await d.store.checkpoint(size);
  if (!cp) return;
  if (!bytesEqual(cp.root, root)) report({ table: 'trace_checkpoints', row, problem: 'root column ≠ root recomputed from the events' });
  try {
    const note = parseNote(cp.note);
    const body = parseCheckpoint(note.text);
    if (body.size !== size || body.origin !== d.identity.origin || !bytesEqual(body.rootHash, root)) report({ table: 'trace_checkpoints', row, problem: 'signed checkpoint text ≠ the recomputed tree' });
    const sigs = checkNoteSignatures(note, [d.identity.verifier]);
    if (!sigs.some((s) => s.status === 'verified') || sigs.some((s) => s.status === 'invalid')) report({ table: 'trace_checkpoints', row, problem: 'log signature does not verify' });
    const cos = await d.store.cosignatures(size);
    for (const c of cos) {
      const w = d.witnesses.find((x) => x.name === c.witness);
      if (!w) continue;
      const checked = checkNoteSignatures(parseNote(`${note.text}\n${c.line}\n`), [w.verifier]);
      if (checked[0]?.status !== 'verified') report({ table: 'trace_cosignatures', row: `${row}, ${c.witness}`, problem: 'cosignature does not verify' });
    }
  } catch (e) {
    report({ table: 'trace_checkpoints', row, problem: `malformed: ${(e as Error).message}` });
  }
}

async function readRange(db: Database, from: number, to: number): Promise<Map<number, Uint8Array>> {
  const r = await sql<{ idx: number; hash: Uint8Array }>`SELECT idx, hash FROM trace_log_hashes WHERE idx >= ${from} AND idx < ${to}`.execute(db.kysely);
  return new Map(r.rows.map((x) => [Number(x.idx), new Uint8Array(x.hash)]));
}

async function loadCapture(db: Database, id: string): Promise<{ body: string; digest: string; signature: string; keyId: string } | null> {
  const r = await sql<{ body: string; digest: string; signature: string; key_id: string }>`SELECT body, digest, signature, key_id FROM trace_captures WHERE id = ${id}`.execute(db.kysely);
  const c = r.rows[0];
  return c ? { body: c.body, digest: c.digest, signature: c.signature, keyId: c.key_id } : null;
}
