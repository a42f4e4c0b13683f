import { type CbvVocabulary, resolveCbvValue } from './cbv-vocabulary.ts';
import { expandCurie, type PrefixMap } from './jsonld-prefixes.ts';
import type { ValidationIssue } from './types.ts';

/**
 * EPCIS 2.0 / CBV 2.0 rules that a JSON Schema cannot state (or cannot state with a useful
 * message): vocabulary membership after CURIE expansion, the per-event-type "what" rules that
 * depend on the action, and cross-field consistency. Written defensively: it runs even when the
 * schema already failed, so every property is type-checked before use.
 */

type Obj = Record<string, unknown>;

/** All rule violations of one event located at JSON Pointer `path`. */
export function eventRuleIssues(ev: Obj, path: string, prefixes: PrefixMap): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const r = new VocabRules(issues, prefixes);

  // "Why" dimension vocabularies (CBV 2.0 §7.1–§7.5).
  r.vocab(ev.bizStep, 'bizStep', path, '/bizStep');
  r.vocab(ev.disposition, 'disposition', path, '/disposition');
  r.typed(ev.bizTransactionList, 'bizTransactionType', path, '/bizTransactionList');
  r.typed(ev.sourceList, 'sourceDestType', path, '/sourceList');
  r.typed(ev.destinationList, 'sourceDestType', path, '/destinationList');
  if (isObj(ev.errorDeclaration)) r.vocab(ev.errorDeclaration.reason, 'errorReason', path, '/errorDeclaration/reason');

  // "How" dimension (sensor data): measurement type, alert type and component vocabularies.
  const elements = ev.sensorElementList;
  if (Array.isArray(elements)) {
    for (let i = 0; i < elements.length; i++) {
      const el = elements[i];
      if (!isObj(el) || !Array.isArray(el.sensorReport)) continue;
      const reports = el.sensorReport;
      for (let j = 0; j < reports.length; j++) {
        const rep = reports[j];
        if (!isObj(rep)) continue;
        const rat = `${path}/sensorElementList/${i}/sensorReport/${j}`;
        r.vocab(rep.type, 'measurementType', rat, '/type');
        r.vocab(rep.exception, 'sensorAlertType', rat, '/exception');
        r.vocab(rep.component, 'component', rat, '/component');
      }
    }
  }

  // EPCIS 2.0 §7.3.6.2.2: a disposition cannot be both set and unset by the same event.
  if (isObj(ev.persistentDisposition)) {
    const pd = ev.persistentDisposition;
    const set = new Set<string>();
    if (Array.isArray(pd.set)) {
      for (let i = 0; i < pd.set.length; i++) {
        const uri = r.vocab(pd.set[i], 'disposition', `${path}/persistentDisposition/set/${i}`, '');
        if (uri) set.add(uri);
      }
    }
    if (Array.isArray(pd.unset)) {
      for (let i = 0; i < pd.unset.length; i++) {
        const v: unknown = pd.unset[i];
        const at = `${path}/persistentDisposition/unset/${i}`;
        const uri = r.vocab(v, 'disposition', at, '');
        if (uri && set.has(uri)) issues.push({ path: at, message: `'${String(v)}' is both set and unset` });
      }
    }
  }

  whatRules(ev, path, issues);
  return issues;
}

/**
 * Vocabulary checks of one event. A class rather than closures: validation runs for every
 * captured event, and per-call closures cost an allocation (and, under tsx, a name definition) each.
 */
class VocabRules {
  constructor(
    private readonly issues: ValidationIssue[],
    private readonly prefixes: PrefixMap,
  ) {}

  /** Checks a vocabulary value at `path + at`; returns its URI, or undefined when absent or invalid. */
  vocab(v: unknown, vocabulary: CbvVocabulary, path: string, at: string): string | undefined {
    if (typeof v !== 'string' || v.length === 0) return undefined;
    const prefixes = this.prefixes;
    const r = resolveCbvValue(vocabulary, v, (s) => expandCurie(s, prefixes));
    if (r.status === 'invalid') {
      this.issues.push({ path: path + at, message: r.reason });
      return undefined;
    }
    return r.uri;
  }

  /** The `type` of each object of a bizTransactionList, sourceList or destinationList. */
  typed(list: unknown, vocabulary: CbvVocabulary, path: string, at: string): void {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const el = list[i];
      if (isObj(el)) this.vocab(el.type, vocabulary, `${path}${at}/${i}`, '/type');
    }
  }
}

/** Per event type: which objects the event must name (EPCIS 2.0 §7.4.2–§7.4.6). */
function whatRules(ev: Obj, path: string, issues: ValidationIssue[]): void {
  const action = ev.action;
  switch (ev.type) {
    case 'ObjectEvent':
      // §7.4.2: an ObjectEvent names at least one EPC or quantity; a pure sensor observation may
      // instead carry sensor data, which then needs the read point where it was observed.
      if (!nonEmpty(ev.epcList) && !nonEmpty(ev.quantityList) && !(nonEmpty(ev.sensorElementList) && isObj(ev.readPoint))) {
        issues.push({
          path,
          message:
            'an ObjectEvent must name its objects: a non-empty epcList or quantityList (or, for a sensor-only observation, a sensorElementList and a readPoint) (EPCIS 2.0 §7.4.2)',
        });
      }
      // §7.4.2: ILMD describes objects as they come into being, so only with action ADD.
      if (ev.ilmd !== undefined && action !== undefined && action !== 'ADD') {
        issues.push({ path: `${path}/ilmd`, message: `ilmd is only allowed when action is ADD (action is ${String(action)}) (EPCIS 2.0 §7.4.2)` });
      }
      break;
    case 'AggregationEvent':
      // §7.4.3: parentID is optional only for OBSERVE.
      if ((action === 'ADD' || action === 'DELETE') && ev.parentID === undefined) {
        issues.push({ path: `${path}/parentID`, message: `parentID is required when action is ${action} (EPCIS 2.0 §7.4.3)` });
      }
      childRule(ev, path, issues, 'AggregationEvent', '7.4.3');
      break;
    case 'AssociationEvent':
      childRule(ev, path, issues, 'AssociationEvent', '7.4.6');
      break;
    case 'TransactionEvent':
      // §7.4.4: the objects associated with/disassociated from the transaction; DELETE with no
      // objects disassociates all of them.
      if (action !== 'DELETE' && !nonEmpty(ev.epcList) && !nonEmpty(ev.quantityList)) {
        issues.push({ path, message: 'a TransactionEvent must name its objects: a non-empty epcList or quantityList (unless action is DELETE) (EPCIS 2.0 §7.4.4)' });
      }
      break;
    case 'TransformationEvent': {
      // §7.4.5: at least one input and one output, unless a transformationID links this event to
      // others of the same transformation, in which case inputs or outputs alone suffice.
      const inputs = nonEmpty(ev.inputEPCList) || nonEmpty(ev.inputQuantityList);
      const outputs = nonEmpty(ev.outputEPCList) || nonEmpty(ev.outputQuantityList);
      const ok = ev.transformationID !== undefined ? inputs || outputs : inputs && outputs;
      if (!ok) {
        issues.push({
          path,
          message:
            ev.transformationID !== undefined
              ? 'a TransformationEvent must have at least one input or output (EPCIS 2.0 §7.4.5)'
              : 'a TransformationEvent without transformationID must have at least one input and one output (EPCIS 2.0 §7.4.5)',
        });
      }
      break;
    }
  }
}

/** §7.4.3 / §7.4.6: children are required except for DELETE (which may mean "all children"). */
function childRule(ev: Obj, path: string, issues: ValidationIssue[], type: string, section: string): void {
  if (ev.action !== 'DELETE' && !nonEmpty(ev.childEPCs) && !nonEmpty(ev.childQuantityList)) {
    issues.push({ path, message: `an ${type} must name its children: a non-empty childEPCs or childQuantityList (unless action is DELETE) (EPCIS 2.0 §${section})` });
  }
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}
