import { isIP } from 'node:net';
import { parseTraceConfig, type TraceConfig } from '../trace/trace.config.ts';

/**
 * Configuration, parsed once at start into a typed object from environment variables and CLI
 * flags (flags win). Every bad value is collected and reported together, so an operator fixes them
 * in one go. Nothing else in the server reads process.env.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** SQLite file path or postgres:// URL. */
  readonly databaseUrl: string;
  /** Base of absolute links (behind a proxy); null → from the request's Host header. */
  readonly publicUrl: string | null;
  /** Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For/-Proto/-Host are believed (CANTHO_TRUST_PROXY); empty: none. */
  readonly trustProxy: string[];
  /** When set, an admin API key with exactly this value exists after start. */
  readonly bootstrapAdminKey: string | null;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** SQLite: worker threads for API reads (CANTHO_SQLITE_READ_THREADS); 0 = reads on the event loop. */
  readonly sqliteReadThreads: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seed and simulate the Can Tho demo network. */
  readonly demo: boolean;
  /** Days of demo history to back-fill. */
  readonly demoBackfillDays: number;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  /** Bytes of request bodies read and handled at once; past it requests wait, unread (CANTHO_BODY_BUFFER). */
  readonly bodyBuffer: number;
  /** Bytes of answers (64 KiB or more) not yet taken by their clients' sockets, all together; past it a GET is answered 503 (CANTHO_ANSWER_BUFFER). */
  readonly answerBuffer: number;
  /** A connection whose client takes no part of an answer for this long is cut, in ms; 0 = never (CANTHO_SEND_TIMEOUT_MS). */
  readonly sendTimeoutMs: number;
  /** A request (its headers and body) must arrive within this long, in ms, or is answered 408 and its connection closed; 0 = no limit (CANTHO_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** GETs that can have large answers (API reads, EPCIS queries) built or sent at once for one client address; the rest wait (CANTHO_ANSWERS_PER_CLIENT). */
  readonly answersPerClient: number;
  /** The same GETs built at once from all clients together; the rest wait (CANTHO_ANSWERS_AT_ONCE). */
  readonly answersAtOnce: number;
  /** $top default and maximum (SensorThings §9.3.3.3: the server imposes its limit). */
  readonly defaultTop: number;
  readonly maxTop: number;
  /** How long one API read may run, in ms (CANTHO_QUERY_TIMEOUT_MS); 0 = unbounded. */
  readonly queryTimeoutMs: number;
  /**
   * MQTT (OGC 18-088 §14): the embedded broker's TCP port. null = not set: 1883, or the next free
   * port when 1883 is taken (a notice says which); a set port that is taken is a start error.
   */
  readonly mqttPort: number | null;
  /** false turns MQTT off entirely (no broker, no bridge). */
  readonly mqttEnabled: boolean;
  /** MQTT over WebSocket on the HTTP server at this path (browsers); null = off. */
  readonly mqttWsPath: string | null;
  /** External broker to bridge to (mqtt://, mqtts://, ws://, wss://) instead of the embedded one. */
  readonly mqttUrl: string | null;
  /** Prefix before every topic (`v1.1/…`, `cantho/v1/…`), e.g. to share one external broker. */
  readonly mqttTopicPrefix: string;
  /** Embedded broker: QoS 1/2 messages kept for one persistent session (MQTT_MAX_QUEUED). */
  readonly mqttMaxQueued: number;
  /** Embedded broker: how long a persistent session outlives its connection, in s (MQTT_SESSION_EXPIRY). */
  readonly mqttSessionExpirySeconds: number;
  /** Live push: bytes written to SSE clients and not yet taken by their sockets, all together (CANTHO_LIVE_BUFFER). */
  readonly liveBuffer: number;
  /** Embedded broker: bytes written to clients and not yet taken by their sockets, all together (MQTT_BUFFER). */
  readonly mqttBuffer: number;
  /** Embedded broker: topics one client may hold at once (MQTT_MAX_SUBSCRIPTIONS). */
  readonly mqttMaxSubscriptions: number;
  /** Embedded broker: largest packet a client may send, in bytes (MQTT_MAX_PACKET_SIZE). */
  readonly mqttMaxPacketBytes: number;
  /** NATS server for fanning new observations out to every node (several `cantho serve`). */
  readonly natsUrl: string | null;
  /** PostgreSQL schema to use (tests and multi-tenant deployments); null = the search_path default. */
  readonly pgSchema: string | null;
  /** Traceability ledger: log key, witnesses, custodial-key encryption (CANTHO_TRACE_*). */
  readonly trace: TraceConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Source = Record<string, string | undefined>;

/** Maps `--port 8081` / `--port=8081` / `--demo` flags to the env variable names. */
const FLAG_TO_ENV: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  'database-url': 'DATABASE_URL',
  'public-url': 'CANTHO_PUBLIC_URL',
  'log-level': 'LOG_LEVEL',
  demo: 'CANTHO_DEMO',
  'demo-days': 'CANTHO_DEMO_DAYS',
  'sqlite-synchronous': 'CANTHO_SQLITE_SYNCHRONOUS',
  'mqtt-port': 'MQTT_PORT',
  'mqtt-url': 'MQTT_URL',
  'nats-url': 'NATS_URL',
};

/** Parses CLI flags into the same keys as the environment. Unknown flags are errors. */
export function flagsToSource(argv: readonly string[], problems: string[]): Source {
  const out: Source = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      problems.push(`unexpected argument "${a}"`);
      continue;
    }
    const [rawName, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const key = FLAG_TO_ENV[rawName];
    if (!key) {
      problems.push(`unknown flag --${rawName} (known: ${Object.keys(FLAG_TO_ENV).map((k) => `--${k}`).join(', ')})`);
      continue;
    }
    if (rawName === 'demo') {
      out[key] = inline ?? 'true';
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) problems.push(`--${rawName} needs a value`);
    else out[key] = v;
  }
  return out;
}

function int(src: Source, key: string, def: number, min: number, max: number, problems: string[]): number {
  const v = src[key];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.push(`${key}="${v}" must be an integer from ${min} to ${max}`);
    return def;
  }
  return Number(v);
}

function bool(src: Source, key: string, def: boolean, problems: string[]): boolean {
  const v = src[key]?.toLowerCase();
  if (v === undefined || v === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  problems.push(`${key}="${src[key]}" must be true or false`);
  return def;
}

function oneOf<T extends string>(src: Source, key: string, allowed: readonly T[], def: T, problems: string[], upper = false): T {
  const raw = src[key];
  if (raw === undefined || raw === '') return def;
  const v = (upper ? raw.toUpperCase() : raw.toLowerCase()) as T;
  if (!allowed.includes(v)) {
    problems.push(`${key}="${raw}" must be one of ${allowed.join(', ')}`);
    return def;
  }
  return v;
}

/** Builds the Config from env + flags; throws ConfigError listing every problem. */
export function loadConfig(env: Source, argv: readonly string[] = [], defaults: Partial<Source> = {}): Config {
  const problems: string[] = [];
  const src: Source = { ...defaults, ...env, ...flagsToSource(argv, problems) };

  const databaseUrl = src.DATABASE_URL?.trim() || './data/cantho.db';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !/^(postgres(ql)?|sqlite):\/\//i.test(databaseUrl)) {
    problems.push(`DATABASE_URL="${redact(databaseUrl)}" must be a SQLite file path or a postgres:// URL`);
  }

  let publicUrl: string | null = null;
  if (src.CANTHO_PUBLIC_URL) {
    try {
      const u = new URL(src.CANTHO_PUBLIC_URL);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      publicUrl = u.toString().replace(/\/+$/, '');
    } catch {
      problems.push(`CANTHO_PUBLIC_URL="${src.CANTHO_PUBLIC_URL}" must be an absolute http(s) URL`);
    }
  }

  const key = src.CANTHO_BOOTSTRAP_ADMIN_KEY;
  if (key !== undefined && key !== '' && (key.length < 16 || /\s/.test(key))) {
    problems.push('CANTHO_BOOTSTRAP_ADMIN_KEY must be at least 16 characters without spaces');
  }

  const config: Config = {
    port: int(src, 'PORT', 8080, 0, 65535, problems),
    host: src.HOST || '0.0.0.0',
    databaseUrl,
    publicUrl,
    trustProxy: trustedProxies(src.CANTHO_TRUST_PROXY, problems),
    bootstrapAdminKey: key ? key : null,
    sqliteSynchronous: oneOf(src, 'CANTHO_SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL'] as const, 'NORMAL', problems, true),
    sqliteReadThreads: int(src, 'CANTHO_SQLITE_READ_THREADS', 2, 0, 16, problems),
    logLevel: oneOf(src, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', problems),
    demo: bool(src, 'CANTHO_DEMO', false, problems),
    demoBackfillDays: int(src, 'CANTHO_DEMO_DAYS', 30, 0, 366, problems),
    bodyLimit: int(src, 'CANTHO_BODY_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems),
    bodyBuffer: int(src, 'CANTHO_BODY_BUFFER', 16 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024, problems),
    answerBuffer: int(src, 'CANTHO_ANSWER_BUFFER', 256 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024, problems),
    sendTimeoutMs: int(src, 'CANTHO_SEND_TIMEOUT_MS', 60_000, 0, 3_600_000, problems),
    requestTimeoutMs: int(src, 'CANTHO_REQUEST_TIMEOUT_MS', 300_000, 0, 3_600_000, problems),
    answersPerClient: int(src, 'CANTHO_ANSWERS_PER_CLIENT', 8, 1, 1_000_000, problems),
    answersAtOnce: int(src, 'CANTHO_ANSWERS_AT_ONCE', 8, 1, 1_000_000, problems),
    defaultTop: 100,
    maxTop: 10000,
    queryTimeoutMs: int(src, 'CANTHO_QUERY_TIMEOUT_MS', 5000, 0, 3_600_000, problems),
    mqttPort: src.MQTT_PORT ? int(src, 'MQTT_PORT', 1883, 1, 65535, problems) : null,
    mqttEnabled: bool(src, 'MQTT_ENABLED', true, problems),
    mqttWsPath: wsPath(src.MQTT_WS_PATH, problems),
    mqttUrl: brokerUrl(src.MQTT_URL, problems),
    mqttTopicPrefix: topicPrefix(src.MQTT_TOPIC_PREFIX, problems),
    mqttMaxQueued: int(src, 'MQTT_MAX_QUEUED', 1000, 1, 1_000_000, problems),
    mqttSessionExpirySeconds: int(src, 'MQTT_SESSION_EXPIRY', 3600, 0, 30 * 86_400, problems),
    liveBuffer: int(src, 'CANTHO_LIVE_BUFFER', 64 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024, problems),
    mqttBuffer: int(src, 'MQTT_BUFFER', 64 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024, problems),
    mqttMaxSubscriptions: int(src, 'MQTT_MAX_SUBSCRIPTIONS', 1000, 1, 1_000_000, problems),
    mqttMaxPacketBytes: int(src, 'MQTT_MAX_PACKET_SIZE', 256 * 1024, 1024, 268_435_455, problems),
    natsUrl: natsUrl(src.NATS_URL, problems),
    pgSchema: pgSchema(src.CANTHO_PG_SCHEMA, problems),
    trace: parseTraceConfig(src, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** `/mqtt` by default; empty or `off` disables MQTT over WebSocket. */
function wsPath(v: string | undefined, problems: string[]): string | null {
  if (v === undefined) return '/mqtt';
  if (v === '' || v.toLowerCase() === 'off') return null;
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(v)) problems.push(`MQTT_WS_PATH="${v}" must be a URL path like /mqtt, or off`);
  return v;
}

/** A comma-separated list of IP addresses and CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`. */
function trustedProxies(v: string | undefined, problems: string[]): string[] {
  const items = (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of items) {
    const [ip, bits, ...rest] = item.split('/');
    const family = isIP(ip!);
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(item);
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!named && (!family || !prefixOk || rest.length)) problems.push(`CANTHO_TRUST_PROXY: "${item}" is not an IP address, a CIDR range (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`);
  }
  return items;
}

function brokerUrl(v: string | undefined, problems: string[]): string | null {
  if (!v) return null;
  if (!/^(mqtts?|wss?|tcp):\/\/[^/\s]+/i.test(v)) problems.push(`MQTT_URL="${redact(v)}" must be an mqtt://, mqtts://, ws:// or wss:// URL`);
  return v;
}

function natsUrl(v: string | undefined, problems: string[]): string | null {
  if (!v) return null;
  if (!/^(nats|tls):\/\/[^\s]+$/i.test(v)) problems.push(`NATS_URL="${redact(v)}" must be a nats:// URL`);
  return v;
}

function topicPrefix(v: string | undefined, problems: string[]): string {
  if (!v) return '';
  if (/[#+\s]/.test(v) || v.startsWith('$')) problems.push(`MQTT_TOPIC_PREFIX="${v}" must not contain #, + or spaces, nor start with $`);
  return v.endsWith('/') ? v : `${v}/`;
}

function pgSchema(v: string | undefined, problems: string[]): string | null {
  if (!v) return null;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) problems.push(`CANTHO_PG_SCHEMA="${v}" must be a lower-case SQL identifier`);
  return v;
}

/** Hides the password of a URL for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
