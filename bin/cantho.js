#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a runtime dependency), so `cantho` works from a checkout.
// A 64 MiB young generation (V8's default is 16): under MQTT load each observation's short-lived
// objects (packet, promises, rows) then die before a scavenge instead of being copied; the server
// spent 8 % less CPU per observation (docs/architecture.md). npm start and npm run cantho pass it too.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', join(root, 'src/cli/main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
