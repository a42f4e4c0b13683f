/**
 * TypeScript shapes of EPCIS 2.0 JSON/JSON-LD data (EPCIS 2.0 §7.3 building blocks, §7.4 event
 * types, and the JSON/JSON-LD binding). They describe what `validateEpcisDocument` /
 * `validateEpcisEvent` guarantee after a successful validation; nothing here is checked by the
 * compiler at runtime, so never cast unvalidated input to these types.
 *
 * Vocabulary-valued fields (bizStep, disposition, types …) are plain strings because EPCIS JSON
 * allows three spellings of the same CBV term (bare "shipping", the URN
 * "urn:epcglobal:cbv:bizstep:shipping" and the Web URI "https://ref.gs1.org/cbv/BizStep-shipping")
 * plus user-defined URIs. Use `resolveCbvValue` to compare them.
 */

/** A JSON-LD `@context` value: a context URL, an inline term/prefix map, or a list of both. */
export type JsonLdContext = string | Record<string, unknown> | ReadonlyArray<string | Record<string, unknown>>;

/** The three EPCIS event actions (EPCIS 2.0 §7.3, Action type). */
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';

/** The five event types of EPCIS 2.0 §7.4.2–§7.4.6. */
export type EpcisEventType =
  | 'ObjectEvent'
  | 'AggregationEvent'
  | 'TransactionEvent'
  | 'TransformationEvent'
  | 'AssociationEvent';

/** One quantity of a class of objects (EPCIS 2.0 §7.3 "what" dimension, QuantityElement). */
export interface QuantityElement {
  epcClass: string;
  quantity?: number;
  /** UN/ECE Recommendation 20 unit code, e.g. "KGM". */
  uom?: string;
}

/** A business transaction reference (EPCIS 2.0 §7.3 "why" dimension; types from CBV 2.0 §7). */
export interface BizTransaction {
  type?: string;
  bizTransaction: string;
}

/** A source (EPCIS 2.0 §7.3 "why" dimension; types from CBV 2.0 §7). */
export interface SourceElement {
  type: string;
  source: string;
}

/** A destination (EPCIS 2.0 §7.3 "why" dimension; types from CBV 2.0 §7). */
export interface DestinationElement {
  type: string;
  destination: string;
}

/** Persistent disposition changes (EPCIS 2.0 §7.3.6.2.2); ObjectEvent and TransformationEvent only. */
export interface PersistentDisposition {
  set?: string[];
  unset?: string[];
}

/** A read point or business location (EPCIS 2.0 §7.3 "where" dimension); may carry namespaced extensions. */
export interface LocationRef {
  id: string;
  [extension: string]: unknown;
}

/** Sensor metadata (EPCIS 2.0 §7.3 "how" dimension, SensorMetadata). */
export interface SensorMetadata {
  time?: string;
  startTime?: string;
  endTime?: string;
  deviceID?: string;
  deviceMetadata?: string;
  rawData?: string;
  dataProcessingMethod?: string;
  bizRules?: string;
  [extension: string]: unknown;
}

/** One sensor report (EPCIS 2.0 §7.3 "how" dimension, SensorReport); `type` is a GS1 MeasurementType or a URI. */
export interface SensorReport {
  type: string;
  exception?: string;
  deviceID?: string;
  deviceMetadata?: string;
  rawData?: string;
  dataProcessingMethod?: string;
  bizRules?: string;
  time?: string;
  microorganism?: string;
  chemicalSubstance?: string;
  coordinateReferenceSystem?: string;
  value?: number;
  component?: string;
  stringValue?: string;
  booleanValue?: boolean;
  hexBinaryValue?: string;
  uriValue?: string;
  minValue?: number;
  maxValue?: number;
  meanValue?: number;
  sDev?: number;
  percRank?: number;
  percValue?: number;
  uom?: string;
  [extension: string]: unknown;
}

/** A sensor element: optional metadata plus one or more reports (EPCIS 2.0 §7.3 "how" dimension). */
export interface SensorElement {
  sensorMetadata?: SensorMetadata;
  sensorReport: SensorReport[];
  [extension: string]: unknown;
}

/** An error declaration (EPCIS 2.0 §7.4.1, ErrorDeclaration): the event is declared erroneous. */
export interface ErrorDeclaration {
  declarationTime: string;
  reason?: string;
  correctiveEventIDs?: string[];
  [extension: string]: unknown;
}

/** Fields common to every EPCIS event (EPCIS 2.0 §7.4.1, EPCISEvent). */
export interface EpcisEventBase {
  '@context'?: JsonLdContext;
  type: EpcisEventType;
  eventTime: string;
  eventTimeZoneOffset: string;
  recordTime?: string;
  eventID?: string;
  certificationInfo?: string | string[];
  errorDeclaration?: ErrorDeclaration;
  bizStep?: string;
  disposition?: string;
  readPoint?: LocationRef;
  bizLocation?: LocationRef;
  bizTransactionList?: BizTransaction[];
  sourceList?: SourceElement[];
  destinationList?: DestinationElement[];
  sensorElementList?: SensorElement[];
  /** User extensions: keys are CURIEs ("example:myField") or absolute IRIs. */
  [extension: string]: unknown;
}

/** EPCIS 2.0 §7.4.2. */
export interface ObjectEvent extends EpcisEventBase {
  type: 'ObjectEvent';
  action: EpcisAction;
  epcList?: string[];
  quantityList?: QuantityElement[];
  persistentDisposition?: PersistentDisposition;
  ilmd?: Record<string, unknown>;
}

/** EPCIS 2.0 §7.4.3. */
export interface AggregationEvent extends EpcisEventBase {
  type: 'AggregationEvent';
  action: EpcisAction;
  parentID?: string;
  childEPCs?: string[];
  childQuantityList?: QuantityElement[];
}

/** EPCIS 2.0 §7.4.4. */
export interface TransactionEvent extends EpcisEventBase {
  type: 'TransactionEvent';
  action: EpcisAction;
  bizTransactionList: BizTransaction[];
  parentID?: string;
  epcList?: string[];
  quantityList?: QuantityElement[];
}

/** EPCIS 2.0 §7.4.5. */
export interface TransformationEvent extends EpcisEventBase {
  type: 'TransformationEvent';
  inputEPCList?: string[];
  inputQuantityList?: QuantityElement[];
  outputEPCList?: string[];
  outputQuantityList?: QuantityElement[];
  transformationID?: string;
  persistentDisposition?: PersistentDisposition;
  ilmd?: Record<string, unknown>;
}

/** EPCIS 2.0 §7.4.6. */
export interface AssociationEvent extends EpcisEventBase {
  type: 'AssociationEvent';
  action: EpcisAction;
  parentID: string;
  childEPCs?: string[];
  childQuantityList?: QuantityElement[];
}

/** Any EPCIS 2.0 event, discriminated by `type`. */
export type EpcisEvent = ObjectEvent | AggregationEvent | TransactionEvent | TransformationEvent | AssociationEvent;

/** EPCISDocument (EPCIS 2.0 capture document, JSON binding). */
export interface EpcisDocument {
  '@context'?: JsonLdContext;
  type: 'EPCISDocument';
  id?: string;
  schemaVersion: string;
  creationDate: string;
  instanceIdentifier?: string;
  sender?: string;
  receiver?: string;
  epcisHeader?: Record<string, unknown>;
  epcisBody: { eventList: EpcisEvent[] };
  [extension: string]: unknown;
}

/** EPCISQueryDocument (EPCIS 2.0 query results, JSON binding). */
export interface EpcisQueryDocument {
  '@context'?: JsonLdContext;
  type: 'EPCISQueryDocument';
  id?: string;
  schemaVersion?: string;
  creationDate?: string;
  epcisBody: {
    queryResults: {
      queryName: string;
      subscriptionID?: string;
      resultsBody: { eventList: EpcisEvent[]; vocabularyList?: unknown[] };
      [extension: string]: unknown;
    };
    [extension: string]: unknown;
  };
  [extension: string]: unknown;
}

/** One validation problem. `path` is a JSON Pointer (RFC 6901) into the input, "" for the root. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Which top-level shape a validated input had. */
export type EpcisInputKind = 'EPCISDocument' | 'EPCISQueryDocument' | 'event';

/** Result of the validators: the events (in input order) or the problems found. */
export type EpcisValidationResult =
  | { ok: true; kind: EpcisInputKind; events: EpcisEvent[] }
  | { ok: false; errors: ValidationIssue[] };
