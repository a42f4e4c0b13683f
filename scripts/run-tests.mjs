#!/usr/bin/env node
// Runs node's test runner over every *.test.ts under the given folder.
// Node 20's `node --test` neither expands globs nor finds .ts files by itself, so we list them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--')) ?? 'src';
const only = process.env.CANTHO_TEST_ONLY; // optional substring filter on file paths

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(root, []).filter((f) => !only || f.includes(only)).sort();
if (files.length === 0) {
  console.error(`no test files under ${root}`);
  process.exit(1);
}
// No --test-force-exit: on Node 20–26 it makes a file's process exit before its last verdicts
// have crossed the pipe to the runner, so they vanish from the report and the count (CI here
// reported 1,301 of 1,303 tests, exit 0; nodejs/node#64833). Hangs are bounded instead: one test
// fails after --test-timeout, and a file whose process never exits (a leaked handle) stops the run
// at the watchdog below, which fails it by name of the cause.
const TEST_TIMEOUT_MS = 5 * 60_000;
const RUN_TIMEOUT_MS = Number(process.env.CANTHO_TEST_RUN_TIMEOUT_MS ?? 25 * 60_000);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-timeout=${TEST_TIMEOUT_MS}`, `--test-concurrency=${process.env.CANTHO_TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit', timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' },
);
if (r.error?.code === 'ETIMEDOUT') {
  console.error(`\nthe tests did not finish within ${Math.round(RUN_TIMEOUT_MS / 1000)} s: a test file probably left a handle open (a server, socket, timer or worker), so its process never exited; the last file reported above is the first suspect`);
  process.exit(1);
}
process.exit(r.status ?? 1);
