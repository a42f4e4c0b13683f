/**
 * Standard vocabularies used by EPCIS 2.0 events, written out from CBV 2.0 §7 (business steps,
 * dispositions, business transaction types, source/destination types, error reasons, sensor
 * components) and from the GS1 Web Vocabulary code lists that EPCIS 2.0 names for sensor data
 * (gs1:MeasurementType, gs1:SensorAlertType).
 *
 * EPCIS JSON lets one CBV term be written three ways (bare "shipping", the CBV 1.x URN
 * "urn:epcglobal:cbv:bizstep:shipping", the CBV 2.0 Web URI "https://ref.gs1.org/cbv/BizStep-shipping",
 * plus CURIEs such as "cbv:BizStep-shipping"). `resolveCbvValue` maps all of them to one Web URI so
 * validation and hashing treat them alike.
 */

/** Which vocabulary a field draws from. */
export type CbvVocabulary =
  | 'bizStep'
  | 'disposition'
  | 'bizTransactionType'
  | 'sourceDestType'
  | 'errorReason'
  | 'component'
  | 'measurementType'
  | 'sensorAlertType';

const CBV_WEB = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';

/** CBV 2.0 §7.1 business steps. */
const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning',
  'creating_class_instance', 'cycle_counting', 'decommissioning', 'departing', 'destroying',
  'disassembling', 'dispensing', 'encoding', 'entering_exiting', 'holding', 'inspecting',
  'installing', 'killing', 'loading', 'other', 'packing', 'picking', 'receiving', 'removing',
  'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing',
  'transporting', 'unloading', 'unpacking', 'void_shipping',
] as const;

/** CBV 2.0 §7.2 dispositions. */
const DISPOSITIONS = [
  'active', 'available', 'completeness_inferred', 'completeness_verified', 'conformant',
  'container_closed', 'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded',
  'expired', 'in_progress', 'in_transit', 'inactive', 'mismatch_class', 'mismatch_instance',
  'mismatch_quantity', 'needs_replacement', 'no_pedigree_match', 'non_conformant',
  'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved', 'retail_sold', 'returned',
  'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
] as const;

/** CBV 2.0 §7.3 business transaction types. */
const BIZ_TRANSACTION_TYPES = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd',
  'testres', 'upevt',
] as const;

/** CBV 2.0 §7.4 source/destination types. */
const SOURCE_DEST_TYPES = ['owning_party', 'possessing_party', 'location'] as const;

/** CBV 2.0 §7.5 error reasons. */
const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;

/** CBV 2.0 sensor-report components (coordinate/vector components). */
const COMPONENTS = [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle',
  'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
] as const;

/** GS1 Web Vocabulary gs1:MeasurementType terms named by EPCIS 2.0 for SensorReport.type. */
const MEASUREMENT_TYPES = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Altitude',
  'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration',
  'AngularMomentum', 'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity',
  'Count', 'Density', 'Dimensionless', 'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity',
  'ElectricCharge', 'ElectricCurrent', 'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy',
  'Exposure', 'Force', 'Frequency', 'Illuminance', 'Inductance', 'Irradiance',
  'KinematicViscosity', 'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux',
  'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass',
  'MassConcentration', 'MassFlowRate', 'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute',
  'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power', 'Pressure', 'RadiantFlux',
  'RadiantIntensity', 'Radioactivity', 'RelativeHumidity', 'Resistance', 'Resistivity',
  'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature',
  'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux',
  'Wavenumber',
] as const;

/** GS1 Web Vocabulary gs1:SensorAlertType terms (SensorReport.exception). */
const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'] as const;

interface VocabularySpec {
  /** Human name used in error messages. */
  label: string;
  terms: ReadonlySet<string>;
  /** Web URI of a term = webPrefix + term. */
  webPrefix: string;
  /** CBV 1.x URN prefix, where the vocabulary has one. */
  urnPrefix?: string;
}

const SPECS: Readonly<Record<CbvVocabulary, VocabularySpec>> = {
  bizStep: {
    label: 'CBV 2.0 business step',
    terms: new Set(BIZ_STEPS),
    webPrefix: `${CBV_WEB}BizStep-`,
    urnPrefix: 'urn:epcglobal:cbv:bizstep:',
  },
  disposition: {
    label: 'CBV 2.0 disposition',
    terms: new Set(DISPOSITIONS),
    webPrefix: `${CBV_WEB}Disp-`,
    urnPrefix: 'urn:epcglobal:cbv:disp:',
  },
  bizTransactionType: {
    label: 'CBV 2.0 business transaction type',
    terms: new Set(BIZ_TRANSACTION_TYPES),
    webPrefix: `${CBV_WEB}BTT-`,
    urnPrefix: 'urn:epcglobal:cbv:btt:',
  },
  sourceDestType: {
    label: 'CBV 2.0 source/destination type',
    terms: new Set(SOURCE_DEST_TYPES),
    webPrefix: `${CBV_WEB}SDT-`,
    urnPrefix: 'urn:epcglobal:cbv:sdt:',
  },
  errorReason: {
    label: 'CBV 2.0 error reason',
    terms: new Set(ERROR_REASONS),
    webPrefix: `${CBV_WEB}ER-`,
    urnPrefix: 'urn:epcglobal:cbv:er:',
  },
  component: { label: 'CBV 2.0 sensor component', terms: new Set(COMPONENTS), webPrefix: `${CBV_WEB}Comp-` },
  measurementType: { label: 'GS1 MeasurementType', terms: new Set(MEASUREMENT_TYPES), webPrefix: GS1_VOC },
  sensorAlertType: { label: 'GS1 SensorAlertType', terms: new Set(SENSOR_ALERT_TYPES), webPrefix: GS1_VOC },
};

/** Every (prefix → vocabulary) pair that marks a value as "claims to be a standard term". */
const CLAIM_PREFIXES: ReadonlyArray<readonly [string, CbvVocabulary]> = (() => {
  const out: Array<readonly [string, CbvVocabulary]> = [];
  for (const [name, spec] of Object.entries(SPECS) as Array<[CbvVocabulary, VocabularySpec]>) {
    if (spec.webPrefix !== GS1_VOC) out.push([spec.webPrefix, name]);
    if (spec.urnPrefix) out.push([spec.urnPrefix, name]);
  }
  return out;
})();

/** Namespaces that earlier EPCIS 2.0 drafts used and GS1 withdrew; values there are never valid. */
const OBSOLETE_CBV_NAMESPACES = ['https://ns.gs1.org/cbv/', 'http://ns.gs1.org/cbv/', 'https://ns.gs1.org/voc/'];

/** Outcome of reading one vocabulary-valued field. */
export type CbvResolution =
  /** A standard term; `uri` is its Web URI, `term` the bare name. */
  | { status: 'standard'; term: string; uri: string }
  /** A user-defined value: an absolute URI outside the standard vocabulary namespaces. */
  | { status: 'custom'; uri: string }
  /** Not acceptable; `reason` says why. */
  | { status: 'invalid'; reason: string };

/** URI scheme syntax of RFC 3986 §3.1, followed by at least one more character. */
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:./;

/**
 * Reads a vocabulary-valued field (EPCIS 2.0 §7.3 "why"/"how" dimensions; CBV 2.0 §7) in any of its
 * JSON spellings and says whether it is a standard term, a user-defined URI or invalid.
 *
 * `expand` turns a CURIE into an absolute IRI using the document's JSON-LD context (or returns the
 * input unchanged). Rules, from CBV 2.0 and the EPCIS 2.0 JSON-LD context:
 * - a bare word must be a term of the vocabulary (JSON-LD gives undefined bare words no meaning);
 * - a URN or Web URI under the vocabulary's own prefix must name a defined term;
 * - a URI under another vocabulary's prefix is the wrong vocabulary;
 * - any other absolute URI is a user-defined value.
 */
export function resolveCbvValue(
  vocabulary: CbvVocabulary,
  value: string,
  expand: (curieOrIri: string) => string = (s) => s,
): CbvResolution {
  const spec = SPECS[vocabulary];
  if (spec.terms.has(value)) return { status: 'standard', term: value, uri: spec.webPrefix + value };
  if (!HAS_SCHEME.test(value)) {
    return { status: 'invalid', reason: `'${clip(value)}' is not a ${spec.label} and not a URI` };
  }
  const iri = expand(value);
  const own = termAfter(iri, spec.webPrefix) ?? (spec.urnPrefix ? termAfter(iri, spec.urnPrefix) : undefined);
  if (own !== undefined) {
    if (spec.terms.has(own)) return { status: 'standard', term: own, uri: spec.webPrefix + own };
    return { status: 'invalid', reason: `'${clip(value)}' uses the ${spec.label} namespace but '${clip(own)}' is not a defined term` };
  }
  for (const [prefix, other] of CLAIM_PREFIXES) {
    if (other !== vocabulary && iri.startsWith(prefix)) {
      return { status: 'invalid', reason: `'${clip(value)}' is a ${SPECS[other].label}, not a ${spec.label}` };
    }
  }
  for (const ns of OBSOLETE_CBV_NAMESPACES) {
    if (iri.startsWith(ns)) {
      return { status: 'invalid', reason: `'${clip(value)}' uses the withdrawn namespace ${ns}; use ${CBV_WEB} or bare CBV terms` };
    }
  }
  return { status: 'custom', uri: iri };
}

/** Web URI for a bare standard term of `vocabulary`, or undefined if `value` is not such a term. */
export function bareTermUri(vocabulary: CbvVocabulary, value: string): string | undefined {
  const spec = SPECS[vocabulary];
  return spec.terms.has(value) ? spec.webPrefix + value : undefined;
}

/** The terms of a vocabulary (for tests and documentation). */
export function vocabularyTerms(vocabulary: CbvVocabulary): readonly string[] {
  return [...SPECS[vocabulary].terms];
}

/**
 * CBV 2.0 §8.9 rule: "any URN-based standard vocabulary value (starting with 'urn:epcglobal:cbv')
 * SHALL be expressed in its corresponding CBV Web URI". Returns the Web URI, or the input unchanged.
 */
export function cbvUrnToWebUri(value: string): string {
  if (!value.startsWith('urn:epcglobal:cbv:')) return value;
  for (const spec of Object.values(SPECS)) {
    if (spec.urnPrefix && value.startsWith(spec.urnPrefix)) {
      return spec.webPrefix + value.slice(spec.urnPrefix.length);
    }
  }
  return value;
}

function termAfter(iri: string, prefix: string): string | undefined {
  return iri.length > prefix.length && iri.startsWith(prefix) ? iri.slice(prefix.length) : undefined;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
