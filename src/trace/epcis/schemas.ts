import type { EpcisEventType } from './types.ts';

/**
 * The project's own JSON Schemas (draft-07) for EPCIS 2.0 JSON/JSON-LD, written from the data
 * definitions of EPCIS 2.0 §7.3 (building blocks), §7.4 (event types) and the JSON/JSON-LD binding.
 * They fix the structure: which properties exist, their JSON types, formats and required fields.
 *
 * Deliberately *not* here (see event-rules.ts, where messages can name the rule): CBV vocabulary
 * membership (needs CURIE expansion with the document's @context), the "at least one identifier"
 * rules of each event type, action-dependent rules and cross-field checks. Keeping alternatives out
 * of the schemas (no anyOf/oneOf) keeps Ajv's error list short and each error pointing at one field.
 *
 * Extension points: where EPCIS allows user extensions (event, readPoint, bizLocation, ILMD,
 * sensorElement, sensorMetadata, sensorReport, errorDeclaration, document and header levels), any
 * property whose name is a CURIE or IRI ("example:myField", "https://…") is accepted; other unknown
 * names are errors, because JSON-LD would silently drop them.
 */

/** Property names that are CURIEs or absolute IRIs: a URI scheme/prefix, ':', then no spaces. */
export const EXTENSION_KEY = '^[A-Za-z][A-Za-z0-9+.\\-]*:\\S+$';

type Schema = Record<string, unknown>;

const ext = (properties: Schema, required: string[] = [], extensible = true): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...(extensible ? { patternProperties: { [EXTENSION_KEY]: {} } } : {}),
  additionalProperties: false,
});

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const arrayOf = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });

/** Building blocks shared by all schemas (EPCIS 2.0 §7.3). */
const DEFINITIONS: Schema = {
  uri: { type: 'string', minLength: 1, format: 'uri', description: 'must be an absolute URI' },
  dateTime: {
    type: 'string',
    format: 'epcis-date-time',
    description: 'must be an xsd:dateTimeStamp with a time zone, e.g. 2024-05-01T08:30:00.000+07:00',
  },
  // EPCIS 2.0 §7.4.1: eventTimeZoneOffset is "+hh:mm"/"-hh:mm" within -14:00..+14:00.
  timeZoneOffset: {
    type: 'string',
    pattern: '^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$',
    description: 'must be a time zone offset such as +07:00 (between -14:00 and +14:00)',
  },
  // Vocabulary values are strings here; their CBV membership is checked in event-rules.ts.
  vocab: { type: 'string', minLength: 1 },
  // UN/ECE Recommendation 20 unit codes are two or three upper-case letters or digits.
  uom: { type: 'string', pattern: '^[A-Z0-9]{2,3}$', description: 'must be a UN/ECE Rec. 20 unit code such as KGM' },
  action: { type: 'string', enum: ['ADD', 'OBSERVE', 'DELETE'] },
  epcList: arrayOf(ref('uri'), { uniqueItems: true }),
  // EPCIS 2.0 §7.3 QuantityElement: epcClass, optional quantity (decimal) and uom. No extensions.
  quantityElement: ext({ epcClass: ref('uri'), quantity: { type: 'number' }, uom: ref('uom') }, ['epcClass'], false),
  quantityList: arrayOf(ref('quantityElement')),
  location: ext({ id: ref('uri') }, ['id']),
  bizTransaction: ext({ type: ref('vocab'), bizTransaction: ref('uri') }, ['bizTransaction'], false),
  bizTransactionList: arrayOf(ref('bizTransaction')),
  source: ext({ type: ref('vocab'), source: ref('uri') }, ['type', 'source'], false),
  destination: ext({ type: ref('vocab'), destination: ref('uri') }, ['type', 'destination'], false),
  persistentDisposition: {
    ...ext(
      {
        set: arrayOf(ref('vocab'), { minItems: 1, uniqueItems: true }),
        unset: arrayOf(ref('vocab'), { minItems: 1, uniqueItems: true }),
      },
      [],
      false,
    ),
    minProperties: 1,
  },
  certificationInfo: {
    type: ['string', 'array'],
    minLength: 1,
    format: 'uri',
    items: ref('uri'),
    description: 'must be a URI or a list of URIs',
  },
  errorDeclaration: ext(
    { declarationTime: ref('dateTime'), reason: ref('vocab'), correctiveEventIDs: arrayOf(ref('uri')) },
    ['declarationTime'],
  ),
  sensorMetadata: ext({
    time: ref('dateTime'),
    startTime: ref('dateTime'),
    endTime: ref('dateTime'),
    deviceID: ref('uri'),
    deviceMetadata: ref('uri'),
    rawData: ref('uri'),
    dataProcessingMethod: ref('uri'),
    bizRules: ref('uri'),
  }),
  sensorReport: ext(
    {
      type: ref('vocab'),
      exception: ref('vocab'),
      deviceID: ref('uri'),
      deviceMetadata: ref('uri'),
      rawData: ref('uri'),
      dataProcessingMethod: ref('uri'),
      bizRules: ref('uri'),
      time: ref('dateTime'),
      microorganism: ref('uri'),
      chemicalSubstance: ref('uri'),
      coordinateReferenceSystem: ref('uri'),
      value: { type: 'number' },
      component: ref('vocab'),
      stringValue: { type: 'string' },
      booleanValue: { type: 'boolean' },
      // xsd:hexBinary: pairs of hex digits.
      hexBinaryValue: { type: 'string', pattern: '^([0-9A-Fa-f]{2})+$', description: 'must be xsd:hexBinary (pairs of hex digits)' },
      uriValue: ref('uri'),
      minValue: { type: 'number' },
      maxValue: { type: 'number' },
      meanValue: { type: 'number' },
      sDev: { type: 'number' },
      percRank: { type: 'number' },
      percValue: { type: 'number' },
      uom: ref('uom'),
    },
    ['type'],
  ),
  sensorElement: ext(
    { sensorMetadata: ref('sensorMetadata'), sensorReport: arrayOf(ref('sensorReport'), { minItems: 1 }) },
    ['sensorReport'],
  ),
  sensorElementList: arrayOf(ref('sensorElement')),
  ilmd: ext({}),
  context: {
    type: ['string', 'object', 'array'],
    minLength: 1,
    items: { type: ['string', 'object'] },
  },
  vocabularyList: arrayOf({
    type: 'object',
    required: ['type'],
    properties: {
      type: ref('uri'),
      vocabularyElementList: arrayOf({
        type: 'object',
        required: ['id'],
        properties: {
          id: ref('uri'),
          attributes: arrayOf({ type: 'object', required: ['id'], properties: { id: ref('uri') } }),
          children: arrayOf(ref('uri')),
        },
      }),
    },
  }),
};

/** EPCIS 2.0 §7.4.1 EPCISEvent fields shared by every event type. */
const COMMON_EVENT_FIELDS: Schema = {
  '@context': ref('context'),
  eventTime: ref('dateTime'),
  recordTime: ref('dateTime'),
  eventTimeZoneOffset: ref('timeZoneOffset'),
  eventID: ref('uri'),
  certificationInfo: ref('certificationInfo'),
  errorDeclaration: ref('errorDeclaration'),
  bizStep: ref('vocab'),
  disposition: ref('vocab'),
  readPoint: ref('location'),
  bizLocation: ref('location'),
  bizTransactionList: ref('bizTransactionList'),
  sourceList: ref('sourceList'),
  destinationList: ref('destinationList'),
  sensorElementList: ref('sensorElementList'),
};

function eventSchema(type: EpcisEventType, fields: Schema, required: string[]): Schema {
  return {
    $id: `https://cantho.invalid/schemas/epcis/2.0/${type}.json`,
    ...ext({ ...COMMON_EVENT_FIELDS, type: { type: 'string', const: type }, ...fields }, [
      'type',
      'eventTime',
      'eventTimeZoneOffset',
      ...required,
    ]),
    definitions: {
      ...DEFINITIONS,
      sourceList: arrayOf(ref('source')),
      destinationList: arrayOf(ref('destination')),
    },
  };
}

/** One schema per event type (EPCIS 2.0 §7.4.2–§7.4.6). */
export const EVENT_SCHEMAS: Readonly<Record<EpcisEventType, Schema>> = {
  // §7.4.2 ObjectEvent
  ObjectEvent: eventSchema(
    'ObjectEvent',
    {
      action: ref('action'),
      epcList: ref('epcList'),
      quantityList: ref('quantityList'),
      persistentDisposition: ref('persistentDisposition'),
      ilmd: ref('ilmd'),
    },
    ['action'],
  ),
  // §7.4.3 AggregationEvent (persistentDisposition is n/a here: §7.3.6.2.2 table)
  AggregationEvent: eventSchema(
    'AggregationEvent',
    {
      action: ref('action'),
      parentID: ref('uri'),
      childEPCs: ref('epcList'),
      childQuantityList: ref('quantityList'),
    },
    ['action'],
  ),
  // §7.4.4 TransactionEvent: bizTransactionList is mandatory and non-empty
  TransactionEvent: eventSchema(
    'TransactionEvent',
    {
      action: ref('action'),
      parentID: ref('uri'),
      epcList: ref('epcList'),
      quantityList: ref('quantityList'),
      bizTransactionList: arrayOf(ref('bizTransaction'), { minItems: 1 }),
    },
    ['action', 'bizTransactionList'],
  ),
  // §7.4.5 TransformationEvent: no action
  TransformationEvent: eventSchema(
    'TransformationEvent',
    {
      inputEPCList: ref('epcList'),
      inputQuantityList: ref('quantityList'),
      outputEPCList: ref('epcList'),
      outputQuantityList: ref('quantityList'),
      transformationID: ref('uri'),
      persistentDisposition: ref('persistentDisposition'),
      ilmd: ref('ilmd'),
    },
    [],
  ),
  // §7.4.6 AssociationEvent: parentID is mandatory
  AssociationEvent: eventSchema(
    'AssociationEvent',
    {
      action: ref('action'),
      parentID: ref('uri'),
      childEPCs: ref('epcList'),
      childQuantityList: ref('quantityList'),
    },
    ['action', 'parentID'],
  ),
};

/** Envelope fields shared by EPCISDocument and EPCISQueryDocument (JSON binding). */
const ENVELOPE_FIELDS: Schema = {
  '@context': ref('context'),
  id: ref('uri'),
  schemaVersion: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', description: 'must be a version such as 2.0' },
  creationDate: ref('dateTime'),
};

/**
 * EPCISDocument envelope (EPCIS 2.0 capture document). Events are only required to be objects here;
 * each is validated with its own event schema so errors point at the event.
 */
export const DOCUMENT_SCHEMA: Schema = {
  $id: 'https://cantho.invalid/schemas/epcis/2.0/EPCISDocument.json',
  ...ext(
    {
      ...ENVELOPE_FIELDS,
      type: { type: 'string', const: 'EPCISDocument' },
      // Pseudo-SBDH header fields of the JSON binding.
      instanceIdentifier: { type: 'string' },
      sender: { type: 'string' },
      receiver: { type: 'string' },
      epcisHeader: ext({ epcisMasterData: ext({ vocabularyList: ref('vocabularyList') }) }),
      epcisBody: ext({ eventList: arrayOf({ type: 'object' }) }, ['eventList']),
    },
    ['type', 'schemaVersion', 'creationDate', 'epcisBody'],
  ),
  definitions: DEFINITIONS,
};

/** EPCISQueryDocument envelope (EPCIS 2.0 query results). */
export const QUERY_DOCUMENT_SCHEMA: Schema = {
  $id: 'https://cantho.invalid/schemas/epcis/2.0/EPCISQueryDocument.json',
  ...ext(
    {
      ...ENVELOPE_FIELDS,
      type: { type: 'string', const: 'EPCISQueryDocument' },
      epcisBody: ext(
        {
          queryResults: ext(
            {
              queryName: { type: 'string', minLength: 1 },
              subscriptionID: { type: 'string' },
              resultsBody: ext(
                { eventList: arrayOf({ type: 'object' }), vocabularyList: ref('vocabularyList') },
                ['eventList'],
              ),
            },
            ['queryName', 'resultsBody'],
          ),
        },
        ['queryResults'],
      ),
    },
    ['type', 'epcisBody'],
  ),
  definitions: DEFINITIONS,
};
