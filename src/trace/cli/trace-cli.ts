import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/config.ts';
import { createPlatform } from '../../server/platform.ts';
import { ed25519FromSeed, ed25519Generate, ed25519Sign } from '../log/ed25519.ts';
import { cosignatureSigner } from '../log/cosignature.ts';
import { ed25519NoteVerifier, generateNoteKeys, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '../log/note-keys.ts';
import { captureSignatureBase, formatSignatureHeader, keyIdFor, sha256Tagged } from '../signing/capture-signature.ts';
import { fileState } from '../witness/state-file.ts';
import { httpLogClient, witnessOnce } from '../witness/witness.ts';
import { verifyProofText } from './verify-proof.ts';

/** Help text of the trace commands (appended to `cantho help`). */
export const TRACE_HELP = `  cantho trace verify <proof file|URL> --log-key VKEY [--witness-key VKEY]... [--witness-keys FILE] [--quorum N] [--event FILE]
  cantho trace audit                   re-check the whole log against the stored rows (exit 1 on any finding)
  cantho trace keygen --name NAME [--cosigner]   new signed-note key pair (log key, or witness key)
  cantho trace org-keygen --org CODE   new Ed25519 key pair for an organisation (seed stays with you)
  cantho trace sign --org CODE --seed-file FILE BODY_FILE   print the Cantho-Signature header for a body
  cantho trace api-key --org CODE --user NAME [--role operator|device]   API key scoped to an organisation
  cantho witness --log URL --log-key VKEY --key FILE --state FILE [--interval S] [--once]`;

/** Pulls every `--name value` out of argv (repeatable flags give several values). */
function takeAll(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = argv.indexOf(`--${name}`); i >= 0; i = argv.indexOf(`--${name}`)) {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`--${name} needs a value`);
    out.push(v);
    argv.splice(i, 2);
  }
  return out;
}

function take(argv: string[], name: string): string | undefined {
  return takeAll(argv, name).pop();
}

function flag(argv: string[], name: string): boolean {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) argv.splice(i, 1);
  return i >= 0;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

async function readInput(src: string): Promise<string> {
  if (/^https?:\/\//.test(src)) {
    const r = await fetch(src, { signal: AbortSignal.timeout(15_000) });
    if (!r.ok) throw new Error(`GET ${src}: HTTP ${r.status}`);
    return r.text();
  }
  return readFileSync(src, 'utf8');
}

/** `cantho trace …` and `cantho witness …`; returns the exit code (-1: keeps running). */
export async function traceCli(cmd: 'trace' | 'witness', argv: string[]): Promise<number> {
  const args = [...argv];
  if (cmd === 'witness') return witness(args);
  const sub = args.shift();
  if (sub === 'verify') {
    const logKey = take(args, 'log-key');
    const keys = takeAll(args, 'witness-key');
    const keyFile = take(args, 'witness-keys');
    if (keyFile) keys.push(...readFileSync(keyFile, 'utf8').split(/\s+/).filter(Boolean));
    const quorum = Number(take(args, 'quorum') ?? (keys.length > 0 ? 1 : 0));
    const eventFile = take(args, 'event');
    const src = args.shift();
    if (!src || !logKey || !Number.isInteger(quorum) || args.length) throw new Error('usage: cantho trace verify <proof file|URL> --log-key VKEY [--witness-key VKEY]... [--quorum N] [--event FILE]');
    const r = verifyProofText(await readInput(src), { logKey, witnessKeys: keys, quorum, eventJson: eventFile ? readFileSync(eventFile, 'utf8').trim() : undefined });
    for (const l of r.lines) out(l);
    return r.ok ? 0 : 1;
  }
  if (sub === 'keygen') {
    const name = take(args, 'name');
    if (!name) throw new Error('usage: cantho trace keygen --name NAME [--cosigner]');
    const k = generateNoteKeys(name, flag(args, 'cosigner') ? SIG_TYPE_COSIGNATURE_V1 : SIG_TYPE_ED25519);
    out(`verifier key (public, pin it): ${k.verifierKey}`);
    out(`signer key (secret, store it safely): ${k.signerKey}`);
    return 0;
  }
  if (sub === 'org-keygen') {
    const org = take(args, 'org');
    if (!org) throw new Error('usage: cantho trace org-keygen --org CODE');
    const k = ed25519Generate();
    out(`keyId: ${keyIdFor(org, k.publicKey)}`);
    out(`publicKey (register with POST /trace/api/orgs/${org}/keys): ${Buffer.from(k.publicKey).toString('base64')}`);
    out(`seed (secret, keep it in a file only you can read): ${Buffer.from(k.seed).toString('base64')}`);
    return 0;
  }
  if (sub === 'sign') {
    const org = take(args, 'org');
    const seedFile = take(args, 'seed-file');
    const bodyFile = args.shift();
    if (!org || !seedFile || !bodyFile) throw new Error('usage: cantho trace sign --org CODE --seed-file FILE BODY_FILE');
    const pair = ed25519FromSeed(new Uint8Array(Buffer.from(readFileSync(seedFile, 'utf8').trim(), 'base64')));
    const keyId = keyIdFor(org, pair.publicKey);
    const sig = ed25519Sign(pair.privateKeyObject, new TextEncoder().encode(captureSignatureBase(keyId, sha256Tagged(readFileSync(bodyFile)))));
    out(`Cantho-Signature: ${formatSignatureHeader(keyId, sig)}`);
    return 0;
  }
  if (sub === 'audit' || sub === 'api-key') return withPlatform(sub, args);
  process.stderr.write(`usage:\n${TRACE_HELP}\n`);
  return 2;
}

async function withPlatform(sub: 'audit' | 'api-key', args: string[]): Promise<number> {
  const org = take(args, 'org');
  const user = take(args, 'user');
  const role = take(args, 'role') ?? 'operator';
  const p = await createPlatform(loadConfig(process.env, args));
  try {
    if (sub === 'api-key') {
      if (!org || !user || (role !== 'operator' && role !== 'device')) throw new Error('usage: cantho trace api-key --org CODE --user NAME [--role operator|device]');
      const orgId = await p.trace.orgs.repo.orgIdByCode(org);
      if (orgId === null) throw new Error(`no organisation "${org}"`);
      const uid = await p.keys.ensureUser(user, role);
      const k = await p.keys.createKey(uid, { label: `trace ${org}`, role, orgScope: orgId });
      out(`key ${k.id} for ${user}, scoped to ${org}:\n${k.secret}\n(shown once; store it now)`);
      return 0;
    }
    const r = await p.trace.audit({ onProgress: (n) => process.stderr.write(`\r  audited ${n} leaves`) });
    process.stderr.write('\n');
    for (const f of r.findings) out(`ALTERED ${f.table} ${f.row}: ${f.problem}`);
    out(`${r.leaves} leaves, ${r.hashes} stored hashes, ${r.checkpoints} checkpoints: ${r.findings.length === 0 ? 'no alteration found' : `${r.findings.length} finding(s)`}`);
    return r.findings.length === 0 ? 0 : 1;
  } finally {
    await p.close();
  }
}

async function witness(args: string[]): Promise<number> {
  const log = take(args, 'log');
  const logKey = take(args, 'log-key');
  const keyFile = take(args, 'key');
  const stateFile = take(args, 'state');
  const interval = Number(take(args, 'interval') ?? '10');
  const once = flag(args, 'once');
  if (!log || !logKey || !keyFile || !stateFile || !(interval >= 1) || args.length) {
    throw new Error('usage: cantho witness --log URL --log-key VKEY --key FILE --state FILE [--interval S] [--once]');
  }
  const opts = { log: httpLogClient(log), logVerifier: ed25519NoteVerifier(logKey), signer: cosignatureSigner(readFileSync(keyFile, 'utf8').trim()), state: fileState(stateFile) };
  for (;;) {
    try {
      const r = await witnessOnce(opts);
      if (r.status === 'fork') {
        process.stderr.write(`FORK: ${r.detail} — not cosigning; keep the state file as evidence\n`);
        return 2;
      }
      out(`${new Date().toISOString()} cosigned checkpoint of size ${r.size}`);
    } catch (e) {
      process.stderr.write(`${new Date().toISOString()} ${(e as Error).message}\n`);
      if (once) return 1;
    }
    if (once) return 0;
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
}
