/**
 * GS1 EPCIS 2.0 / CBV 2.0 library for Can Tho traceability (rice and pangasius lots): validation of
 * EPCIS 2.0 JSON/JSON-LD capture and query documents, and the CBV 2.0 §8.9 Event Hash ID.
 * Pure functions only: no I/O, no database, no HTTP. See DECISIONS.md for the judgement calls.
 */

export type {
  AggregationEvent,
  AssociationEvent,
  BizTransaction,
  DestinationElement,
  EpcisAction,
  EpcisDocument,
  EpcisEvent,
  EpcisEventBase,
  EpcisEventType,
  EpcisInputKind,
  EpcisQueryDocument,
  EpcisValidationResult,
  ErrorDeclaration,
  JsonLdContext,
  LocationRef,
  ObjectEvent,
  PersistentDisposition,
  QuantityElement,
  SensorElement,
  SensorMetadata,
  SensorReport,
  SourceElement,
  TransactionEvent,
  TransformationEvent,
  ValidationIssue,
} from './types.ts';
export { type EpcisValidationOptions, validateEpcisDocument, validateEpcisEvent } from './validate.ts';
export {
  type DocumentEventHash,
  type DocumentHashOptions,
  documentEventHashes,
  EVENT_HASH_VERSION,
  type EventHashAlgorithm,
  type EventHashOptions,
  eventHashId,
  eventPreHash,
  PreHashInputError,
  preHashToHashId,
} from './event-hash.ts';
export { type CbvResolution, type CbvVocabulary, resolveCbvValue, vocabularyTerms } from './cbv-vocabulary.ts';
export { epcUriToDigitalLink, gs1CheckDigit } from './epc-uri.ts';
export { canonicalGs1Uri, constrainDigitalLink } from './digital-link.ts';
export { checkJsonBounds, DEFAULT_JSON_BOUNDS, type JsonBounds } from './json-bounds.ts';
