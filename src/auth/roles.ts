/** Roles (§ auth baseline). Order matters nowhere; each action lists the roles that may do it. */
export const ROLES = ['admin', 'operator', 'device', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  | 'read:private' // read private Things and what hangs off them
  | 'write:sensing' // create/update/delete any SensorThings entity
  | 'write:observations' // create Observations (devices: only into their own Things' streams)
  | 'write:trace' // capture EPCIS events (also needs the signing organisation in the key's org scope, unless admin)
  | 'admin'; // users and keys

const GRANTS: Record<Action, readonly Role[]> = {
  'read:private': ['admin', 'operator', 'device', 'viewer'],
  'write:sensing': ['admin', 'operator'],
  'write:observations': ['admin', 'operator', 'device'],
  'write:trace': ['admin', 'operator', 'device'],
  admin: ['admin'],
};

/** Who is calling: resolved from an API key. */
export interface Principal {
  readonly userId: number;
  readonly userName: string;
  readonly keyId: number;
  readonly role: Role;
  /** Things a scoped (device) key may write to; null = unscoped. */
  readonly thingScope: ReadonlySet<number> | null;
  /** The traceability organisation (trace_orgs.id) a key acts for; null = none (only admins capture then). */
  readonly orgScope?: number | null;
}

export function can(p: Principal | null, action: Action): boolean {
  return p !== null && GRANTS[action].includes(p.role);
}

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}
