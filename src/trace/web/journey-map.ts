import { esc } from './html.ts';

/**
 * A small inline SVG map of a journey inside Can Tho (bbox 105.2257,9.9193 – 105.8443,10.3253,
 * seed/PLACES.md): numbered points in journey order joined by a path, over a sketch of the Hậu
 * river and the district centres for orientation. No tiles, no network, no script: it renders in
 * any browser and prints. The numbered list of steps beside it is the accessible equivalent.
 */

export const CAN_THO_BBOX = { west: 105.2257, south: 9.9193, east: 105.8443, north: 10.3253 } as const;

export interface MapPoint {
  readonly n: number;
  readonly lat: number;
  readonly lon: number;
  readonly label: string;
}

const W = 600;
const PAD = 18;
// Equirectangular with cos(latitude) so that distances look right at 10°N.
const K = Math.cos(((CAN_THO_BBOX.south + CAN_THO_BBOX.north) / 2) * (Math.PI / 180));
const SCALE = (W - 2 * PAD) / ((CAN_THO_BBOX.east - CAN_THO_BBOX.west) * K);
const NEAR = 30;
const H = Math.round((CAN_THO_BBOX.north - CAN_THO_BBOX.south) * SCALE + 2 * PAD);

/** True when the point lies in the Can Tho bounding box. */
export function inCanTho(lat: number, lon: number): boolean {
  return lat >= CAN_THO_BBOX.south && lat <= CAN_THO_BBOX.north && lon >= CAN_THO_BBOX.west && lon <= CAN_THO_BBOX.east;
}

function xy(lat: number, lon: number): [number, number] {
  return [Math.round((PAD + (lon - CAN_THO_BBOX.west) * K * SCALE) * 10) / 10, Math.round((PAD + (CAN_THO_BBOX.north - lat) * SCALE) * 10) / 10];
}

// The Hậu river along the north-east edge (approximate, from seed/PLACES.md landmarks).
const RIVER: readonly [number, number][] = [
  [10.33, 105.47], [10.27, 105.545], [10.2, 105.6], [10.14, 105.655], [10.09, 105.71], [10.05, 105.765], [10.034, 105.79], [9.99, 105.835], [9.96, 105.86],
];

// District centres (seed/PLACES.md, before the 2025 merger).
const DISTRICTS: readonly [string, number, number][] = [
  ['Ninh Kiều', 10.0309, 105.7644], ['Bình Thủy', 10.0634, 105.7232], ['Cái Răng', 9.9912, 105.7868], ['Ô Môn', 10.1268, 105.6332],
  ['Thốt Nốt', 10.242, 105.547], ['Phong Điền', 9.9983, 105.6631], ['Cờ Đỏ', 10.1269, 105.4608], ['Thới Lai', 10.0307, 105.5386], ['Vĩnh Thạnh', 10.2139, 105.369],
];

/**
 * The SVG markup (trusted: built here, every label escaped) or '' when no point is in Can Tho.
 * Several steps at one place share one marker listing all their numbers.
 */
export function journeyMapSvg(points: readonly MapPoint[], title: string): string {
  const inside = points.filter((p) => inCanTho(p.lat, p.lon));
  if (inside.length === 0) return '';
  const river = RIVER.map(([la, lo]) => xy(la, lo).join(',')).join(' ');
  const path = inside.map((p) => xy(p.lat, p.lon).join(',')).join(' ');
  // Steps at the same or nearby places (closer than a marker) share one marker.
  const groups: { x: number; y: number; ps: MapPoint[] }[] = [];
  for (const p of inside) {
    const [x, y] = xy(p.lat, p.lon);
    const g = groups.find((g) => Math.hypot(g.x - x, g.y - y) < NEAR);
    if (g) g.ps.push(p);
    else groups.push({ x, y, ps: [p] });
  }
  // District names for orientation, except where a marker would cover them.
  const districts = DISTRICTS.map(([name, la, lo]) => {
    const [x, y] = xy(la, lo);
    if (groups.some((g) => Math.abs(g.x - x) < 60 && Math.abs(g.y - y) < 24)) return '';
    return `<text x="${x}" y="${y}" class="m-district" text-anchor="middle">${esc(name)}</text>`;
  }).join('');
  const markers = groups
    .map(({ x, y, ps }) => {
      const label = ps.map((p) => p.n).join(',');
      const w = Math.max(30, 11 * label.length + 14);
      const names = ps.map((p) => `${p.n}. ${p.label}`).join('; ');
      return `<g class="m-point"><title>${esc(names)}</title><rect x="${x - w / 2}" y="${y - 15}" width="${w}" height="30" rx="15"/><text x="${x}" y="${y + 6}" text-anchor="middle">${esc(label)}</text></g>`;
    })
    .join('');
  return `<svg class="journey-map" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">
<title id="map-title">${esc(title)}</title>
<rect width="${W}" height="${H}" class="m-land"/>
<polyline points="${river}" class="m-river"/>
<text x="${xy(10.15, 105.66)[0] + 14}" y="${xy(10.15, 105.66)[1] - 6}" class="m-river-label">sông Hậu</text>
${districts}
<polyline points="${path}" class="m-path"/>
${markers}
</svg>`;
}
