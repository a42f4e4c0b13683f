/**
 * Test-only record of the judgement calls in DECISIONS.md that concern shared test documents, so
 * the tests and the document cannot drift apart.
 */

/** OpenEPCIS documents labelled valid that we reject (DECISIONS.md §1), by file base name. */
export const CONTESTED_OPENEPCIS: ReadonlySet<string> = new Set([
  'AggregationEvent_with_persistentDisposition',
  'SensorData_with_combined_events',
  'TransactionEvent_with_userExtensions',
]);

/**
 * Shared documents on which our verdict differs from GS1's EPCIS 2.0 JSON Schema (DECISIONS.md §2),
 * keyed by path relative to shared/data/epcis, with our verdict.
 */
export const GS1_SCHEMA_DIFFERENCES: ReadonlyMap<string, { ours: boolean; why: string }> = new Map([
  [
    'XML/WithEventHashID/event_with_identical_hash_id_7.json',
    { ours: true, why: 'CBV values in URN form (urn:epcglobal:cbv:…) are accepted as the same terms' },
  ],
]);
