import { createHash } from 'node:crypto';
import { gs1CheckDigit } from '../epcis/index.ts';

/**
 * GS1 identifiers of the demo supply chains, built with real check digits under the GS1 Vietnam
 * prefix 893 (company prefixes 8936012 and 893850x are invented for the demo; GS1 General Specifications §3.2
 * for GTIN/GLN/SSCC structure, §7.9 for the check digit).
 */

/** A GLN: 7-digit company prefix + 5-digit location reference + check digit. */
export function gln(prefix: string, loc: string): string {
  const body = `${prefix}${loc}`;
  return body + gs1CheckDigit(body);
}

/** A GTIN-14 (indicator 0) of a GTIN-13: prefix + 5-digit item reference + check digit. */
export function gtin(prefix: string, item: string): string {
  const body = `0${prefix}${item}`;
  return body + gs1CheckDigit(body);
}

/** An SSCC: extension digit + company prefix + 9-digit serial reference + check digit. */
export function sscc(prefix: string, serial: string): string {
  const body = `0${prefix}${serial.padStart(9, '0')}`;
  return body + gs1CheckDigit(body);
}

/** Digital Link URIs used in the demo events. */
export const dl = {
  lot: (g: string, lot: string) => `https://id.gs1.org/01/${g}/10/${lot}`,
  loc: (g: string) => `https://id.gs1.org/414/${g}`,
  sscc: (s: string) => `https://id.gs1.org/00/${s}`,
  party: (g: string) => `https://id.gs1.org/417/${g}`,
};

/** A stable urn:uuid from a name (so that re-seeding produces the same events). */
export function demoUuid(name: string): string {
  const h = createHash('sha256').update(`cantho-demo:${name}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An instant as Vietnamese local time with its offset (EPCIS eventTime in Asia/Ho_Chi_Minh). */
export function vnTime(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
}

/** Company prefixes of the demo organisations. */
export const PREFIX = {
  htx: '8936012',
  miller: '8938502',
  packer: '8938503',
  logistics: '8938504',
  retailer: '8938505',
  farm: '8938506',
  plant: '8938507',
  port: '8938508',
  authority: '8938509',
} as const;

/** The consumer-facing demo lots (what the QR codes point at). */
export const DEMO_LOTS = {
  // The lot of the examples in docs/api/trace.md, which the landing page links to in demo mode.
  rice: { gtin: gtin(PREFIX.htx, '34567'), lot: 'CD-2025-HT1' },
  pangasius: { gtin: gtin(PREFIX.plant, '20003'), lot: 'TN2504F12' },
} as const;
