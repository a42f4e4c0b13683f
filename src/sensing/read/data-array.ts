import { AppError } from '../../core/errors.ts';
import { ENTITIES } from '../model/entities.ts';
import { propValue, type Row } from './serialize.ts';

const DEFAULT_COMPONENTS = ['id', 'phenomenonTime', 'resultTime', 'result'];
const ALLOWED = new Set(['id', 'phenomenonTime', 'resultTime', 'result', 'resultQuality', 'validTime', 'parameters', 'FeatureOfInterest/id']);

/**
 * Observations in the dataArray format (OGC 18-088 §14.3.2): grouped by (Multi)Datastream, each
 * group a component list and rows of values in that order.
 */
export function toDataArray(root: string, rows: Row[], select?: string[]): unknown[] {
  const components = (select ?? DEFAULT_COMPONENTS).map((c) => (c === '@iot.id' ? 'id' : c));
  const unknown = components.find((c) => !ALLOWED.has(c));
  if (unknown !== undefined) throw new AppError('INVALID_SELECT', `"${unknown}" is not a dataArray component; these are: ${[...ALLOWED].join(', ')}`);
  const groups = new Map<string, { link: Record<string, unknown>; data: unknown[][] }>();
  const props = ENTITIES.Observation.props;
  const byName = new Map(props.map((p) => [p.name, p]));
  for (const row of rows) {
    const key = row.datastream_id != null ? `d${row.datastream_id}` : `m${row.multi_datastream_id}`;
    let g = groups.get(key);
    if (!g) {
      const link = row.datastream_id != null
        ? { 'Datastream@iot.navigationLink': `${root}/Datastreams(${row.datastream_id})` }
        : { 'MultiDatastream@iot.navigationLink': `${root}/MultiDatastreams(${row.multi_datastream_id})` };
      g = { link, data: [] };
      groups.set(key, g);
    }
    g.data.push(
      components.map((c) => {
        if (c === 'id') return Number(row.id);
        if (c === 'FeatureOfInterest/id') return Number(row.feature_of_interest_id);
        return propValue(byName.get(c)!, row);
      }),
    );
  }
  return [...groups.values()].map((g) => ({ ...g.link, components, 'dataArray@iot.count': g.data.length, dataArray: g.data }));
}
