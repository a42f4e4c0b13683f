import type { Migration } from '../migrate.ts';

/**
 * PostgreSQL: the references of an observation (Datastream, MultiDatastream, FeatureOfInterest)
 * are checked once per statement instead of once per row.
 *
 * A foreign key checks each inserted row with its own `SELECT … FOR KEY SHARE` of the parent. A
 * batch of 1,000 observations of one Datastream locks that one row 1,000 times, and two writers
 * doing so at once turn the lock into a multixact: in a measurement with the stream counter and
 * rollup updates of our write path, per-row keys gave 37,500 rows/s on one connection and fell to
 * 28,000 on two, while the statement-level check below gave 77,000 on one and 118,000 on two.
 *
 * The rules stay those of the foreign keys they replace:
 * - an INSERT or UPDATE whose rows name a parent that does not exist fails with SQLSTATE 23503
 *   (foreign_key_violation), as before;
 * - the parents named are locked FOR KEY SHARE until the end of the transaction, so a concurrent
 *   DELETE of one of them waits; in READ COMMITTED a locking read skips a row deleted and
 *   committed meanwhile, which the count below catches;
 * - deleting a parent deletes its observations (ON DELETE CASCADE), now by a statement trigger.
 * SQLite keeps its foreign keys: there they cost little (docs/benchmarks.md, raw baselines).
 */
const check = (col: string, parent: string) => `
  SELECT array_agg(DISTINCT ${col}) INTO ids FROM n WHERE ${col} IS NOT NULL;
  IF ids IS NOT NULL THEN
    SELECT count(*) INTO found FROM (SELECT 1 FROM ${parent} WHERE id = ANY (ids) FOR KEY SHARE) AS locked;
    IF found <> cardinality(ids) THEN
      RAISE EXCEPTION 'insert or update on table "observations" violates the reference to "${parent}"' USING ERRCODE = 'foreign_key_violation';
    END IF;
  END IF;`;

const cascade = (parent: string, col: string) => [
  `CREATE FUNCTION ${parent}_delete_observations() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM observations WHERE ${col} IN (SELECT id FROM o);
    RETURN NULL;
  END $$`,
  `CREATE TRIGGER ${parent}_delete_observations AFTER DELETE ON ${parent} REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION ${parent}_delete_observations()`,
];

const postgres = [
  `DO $$
  DECLARE c record;
  BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'observations'::regclass AND contype = 'f' LOOP
      EXECUTE format('ALTER TABLE observations DROP CONSTRAINT %I', c.conname);
    END LOOP;
  END $$`,
  `CREATE FUNCTION observations_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE ids bigint[]; found bigint;
  BEGIN${check('datastream_id', 'datastreams')}${check('multi_datastream_id', 'multi_datastreams')}${check('feature_of_interest_id', 'features_of_interest')}
    RETURN NULL;
  END $$`,
  'CREATE TRIGGER observations_check_insert AFTER INSERT ON observations REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION observations_check_references()',
  'CREATE TRIGGER observations_check_update AFTER UPDATE ON observations REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION observations_check_references()',
  ...cascade('datastreams', 'datastream_id'),
  ...cascade('multi_datastreams', 'multi_datastream_id'),
  ...cascade('features_of_interest', 'feature_of_interest_id'),
];

export const observationChecksMigration: Migration = { version: 4, name: 'observation-checks', sqlite: [], postgres };
