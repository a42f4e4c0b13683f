/**
 * Vietnamese display formats (seed/GLOSSARY.md): dates `05/02/2025`, 24-hour times `08:00`, in
 * Asia/Ho_Chi_Minh whatever the zone of the record. Shared by the server page and the in-browser
 * verifier, which re-renders the same strings to check that what is shown is what was verified.
 */

const TZ = 'Asia/Ho_Chi_Minh';

const dateFmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function parse(iso: string): Date | null {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t) : null;
}

/** `05/02/2025` in Asia/Ho_Chi_Minh; '' for an unparseable timestamp. */
export function formatDate(iso: string): string {
  const d = parse(iso);
  return d ? dateFmt.format(d) : '';
}

/** `08:00` (24-hour) in Asia/Ho_Chi_Minh; '' for an unparseable timestamp. */
export function formatTime(iso: string): string {
  const d = parse(iso);
  return d ? timeFmt.format(d) : '';
}

/** `08:00, 05/02/2025`: how a journey step's time is shown. */
export function formatDateTime(iso: string): string {
  const d = parse(iso);
  return d ? `${timeFmt.format(d)}, ${dateFmt.format(d)}` : '';
}

/** Machine-readable instant for `<time datetime>` (UTC ISO 8601). */
export function isoInstant(iso: string): string {
  const d = parse(iso);
  return d ? d.toISOString() : '';
}

/** Decimal degrees with a Vietnamese decimal comma, e.g. `10,1269`. */
export function formatCoord(v: number): string {
  return v.toFixed(4).replace('.', ',');
}
