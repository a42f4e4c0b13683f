#!/usr/bin/env node
import { sql } from 'kysely';
import { isRole } from '../auth/roles.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { type DemoHandle, startDemo } from '../demo/demo.service.ts';
import { createPlatform } from '../server/platform.ts';
import { TRACE_HELP, traceCli } from '../trace/cli/trace-cli.ts';

const HELP = `cantho — Can Tho Industry 4.0 platform

Usage:
  cantho serve [--demo] [--port N] [--database-url URL] [--public-url URL] [--log-level L]
  cantho migrate                       bring the database schema up to date
  cantho demo                          seed the demo network and back-fill (without serving)
  cantho user add NAME --role ROLE     roles: admin, operator, device, viewer
  cantho key create --user NAME [--role ROLE] [--things 1,2] [--label TEXT]
  cantho key list
  cantho key revoke ID
${TRACE_HELP}

Configuration comes from environment variables (see README) and the flags above.`;

/** Pulls `--name value` options that belong to a subcommand out of argv. */
function take(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    process.stdout.write(`${HELP}\n`);
    return cmd ? 0 : 1;
  }
  if (cmd === 'serve') return serve(rest);
  if (cmd === 'migrate') {
    const p = await createPlatform(loadConfig(process.env, rest));
    await p.close();
    process.stdout.write('schema up to date\n');
    return 0;
  }
  if (cmd === 'demo') {
    const p = await createPlatform(loadConfig(process.env, rest));
    const demo = await startDemo(p, { simulate: false });
    await demo.backfilled;
    await p.close();
    return 0;
  }
  if (cmd === 'user' && rest[0] === 'add') {
    const args = rest.slice(1);
    const role = take(args, 'role') ?? 'viewer';
    const name = args.shift();
    if (!name || !isRole(role)) throw new Error('usage: cantho user add NAME --role admin|operator|device|viewer');
    const p = await createPlatform(loadConfig(process.env, args));
    const id = await p.keys.ensureUser(name, role);
    process.stdout.write(`user ${name} (${role}) id ${id}\n`);
    await p.close();
    return 0;
  }
  if (cmd === 'key') return key(rest);
  if (cmd === 'trace' || cmd === 'witness') return traceCli(cmd, rest);
  process.stderr.write(`unknown command "${cmd}"\n\n${HELP}\n`);
  return 2;
}

async function key(rest: string[]): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === 'create') {
    const user = take(args, 'user');
    const roleArg = take(args, 'role');
    const things = take(args, 'things');
    const label = take(args, 'label') ?? 'cli';
    if (!user) throw new Error('usage: cantho key create --user NAME [--role ROLE] [--things 1,2]');
    const p = await createPlatform(loadConfig(process.env, args));
    const u = (await sql<{ id: number; role: string }>`SELECT id, role FROM users WHERE name = ${user}`.execute(p.db.kysely)).rows[0];
    if (!u) throw new Error(`no user "${user}" (create it with: cantho user add ${user} --role ...)`);
    const role = roleArg ?? u.role;
    if (!isRole(role)) throw new Error(`unknown role ${role}`);
    const scope = things ? things.split(',').map((t) => Number(t)) : undefined;
    if (scope?.some((t) => !Number.isSafeInteger(t) || t < 1)) throw new Error('--things takes Thing ids like 1,2,3');
    const k = await p.keys.createKey(Number(u.id), { label, role, thingScope: scope });
    process.stdout.write(`key ${k.id} for ${user} (${role}${scope ? `, Things ${scope.join(',')}` : ''}):\n${k.secret}\n(shown once; store it now)\n`);
    await p.close();
    return 0;
  }
  if (sub === 'list' || sub === 'revoke') {
    const id = sub === 'revoke' ? Number(args.shift()) : 0;
    const p = await createPlatform(loadConfig(process.env, args));
    if (sub === 'list') {
      for (const k of await p.keys.list()) process.stdout.write(`${k.id}\t${k.user}\t${k.role}\t${k.prefix}…\t${k.label}${k.revoked ? '\trevoked' : ''}\n`);
    } else process.stdout.write((await p.keys.revoke(id)) ? `key ${id} revoked\n` : `no active key ${id}\n`);
    await p.close();
    return 0;
  }
  process.stderr.write('usage: cantho key create|list|revoke\n');
  return 2;
}

async function serve(args: string[]): Promise<number> {
  const config = loadConfig(process.env, args);
  const p = await createPlatform(config);
  let demo: DemoHandle | null = null;
  const stop = async (signal: string) => {
    p.logger.info({ signal }, 'shutting down');
    demo?.stop();
    await p.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await p.app.listen({ port: config.port, host: config.host });
  const rt = await p.ingest.start();
  if (rt.mqttPortMoved) process.stderr.write(`\n  NOTICE: port 1883 is taken; the MQTT broker listens on ${rt.mqttPort} instead (set MQTT_PORT to choose)\n`);
  if (rt.mqttPort !== null) process.stderr.write(`  MQTT: mqtt://localhost:${rt.mqttPort}${rt.wsPath ? `  (WebSocket: ws://localhost:${config.port}${rt.wsPath})` : ''}\n`);
  if (rt.bridge) process.stderr.write(`  MQTT: bridged to ${rt.bridge.replace(/\/\/[^@/]*@/, '//***@')}\n`);
  if (config.demo) {
    demo = await startDemo(p, { simulate: true });
    if (demo.adminKey) {
      // Shown once, on the console only: never through the structured logger.
      process.stderr.write(`\n  Demo admin API key (shown once, keep it): ${demo.adminKey}\n  Use it as: Authorization: Bearer ${demo.adminKey}\n\n`);
    }
  }
  process.stderr.write(`\n  cantho is running: http://localhost:${config.port}/  (API: http://localhost:${config.port}/v1.1)\n\n`);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
