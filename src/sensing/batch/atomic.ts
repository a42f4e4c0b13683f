/**
 * Change sets (OData 4.0 Part 1 §11.7.3, used by OGC 18-088 §11) are all or nothing. The service's
 * write methods each open their own transaction through `writeTx`; here they are made to run inside
 * ONE transaction instead, with no change to them: a SensingService is built over a view of the
 * database whose `kysely` is the open transaction, so every statement, read-back and nested
 * `writeTx` of that service joins it.
 */
import type { Kysely } from 'kysely';
import { type Database, writeTx } from '../../storage/database.ts';
import { Mutex } from '../../storage/mutex.ts';
import { type Announcement, SensingService } from '../sensing.service.ts';

// biome-ignore lint/suspicious/noExplicitAny: see Database.kysely
type Trx = Kysely<any>;

/**
 * A Database whose queries all go to `trx`. Its `kysely.transaction()` runs the callback in `trx`
 * (no nested transaction), and its write lock is a fresh one: the real lock is already held by
 * the caller (on SQLite it is not re-entrant), and the operations of one change set run one after
 * the other. Raw `db.sqlite` statements stay on the same connection, so they join too.
 */
export function boundDatabase(db: Database, trx: Trx): Database {
  const joined = { execute: <T>(fn: (t: Trx) => Promise<T>): Promise<T> => fn(trx) };
  const kysely = new Proxy(trx, {
    get(target, prop) {
      if (prop === 'transaction') return () => joined;
      const v: unknown = Reflect.get(target, prop, target);
      // Kysely keeps its state in #private fields: methods must run with the real object as `this`.
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  // Reads of the change set see its writes: they run in `trx` too, not on a separate read pool.
  return { ...db, kysely, reads: undefined, writeLock: new Mutex(), close: async () => {} };
}

/**
 * Runs `fn` with a SensingService bound to one write transaction: it commits when `fn` resolves
 * and rolls back everything when `fn` throws. Change notifications are held back until the commit
 * and then told to the listeners of `service`, so nothing hears of writes that were undone. A
 * listener that throws is reported to `onListenerError`: the change set stays committed.
 */
export async function inOneTransaction<T>(
  service: SensingService,
  fn: (scoped: SensingService) => Promise<T>,
  onListenerError: (e: unknown) => void = () => {},
): Promise<T> {
  return service.announcing(async () => {
    const made: Announcement[] = [];
    const result = await writeTx(service.db, async (trx) => {
      // A fresh service: no observation sink (group commit) is installed on it, so Observations of
      // the change set are written by its own writer, inside this transaction.
      const scoped = new SensingService(boundDatabase(service.db, trx), service.paging);
      scoped.onChange((entity, id, kind, observation) => made.push([entity, id, kind, observation]));
      return fn(scoped);
    });
    // Locations may have changed inside the transaction: the derived-FeatureOfInterest cache of the
    // long-lived service must not keep answers from before it.
    service.observations.fois.clear();
    return { result, made };
  }, onListenerError);
}
