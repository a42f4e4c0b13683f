import type { Migration } from '../migrate.ts';

/**
 * Observation indexes for the default order. Without `$orderby` a collection is ordered by id, so
 * `Datastreams(1)/Observations?$top=1` (and `$count=true` beside it) needs the rows of one stream
 * in id order: with only (stream, time, id) both databases read and sort every row of the stream
 * (about a second at 10 million). (stream, id) gives them directly.
 *
 * Each observation has a Datastream or a MultiDatastream, never both, so the MultiDatastream
 * indexes become partial: a Datastream row enters 3 indexes (ds_time, ds_id, foi), as before this
 * migration, and a MultiDatastream row 5. A query `multi_datastream_id = ?` implies the index
 * condition on both databases, and so do the foreign-key cascades.
 */
const ddl = [
  'CREATE INDEX observations_ds_id ON observations (datastream_id, id)',
  'DROP INDEX observations_mds_time',
  'CREATE INDEX observations_mds_time ON observations (multi_datastream_id, phenomenon_time_start, id) WHERE multi_datastream_id IS NOT NULL',
  'CREATE INDEX observations_mds_id ON observations (multi_datastream_id, id) WHERE multi_datastream_id IS NOT NULL',
];

export const observationOrderMigration: Migration = { version: 3, name: 'observation-order', sqlite: ddl, postgres: ddl };
