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
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${process.env.CANTHO_TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
