import QRCode from 'qrcode';

/**
 * QR codes of a lot's GS1 Digital Link URI (GS1 DL 1.2 §7: a QR Code carrying the URI), error
 * correction M (15 %, GS1's recommendation for packaging), with the 4-module quiet zone that
 * ISO/IEC 18004 requires.
 */

const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** SVG QR code of `url`, with an accessible title. */
export async function qrSvg(url: string, title: string): Promise<string> {
  const svg = await QRCode.toString(url, { ...OPTIONS, type: 'svg', color: { dark: '#000000', light: '#ffffff' } });
  const esc = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${esc}" `);
}

/** PNG QR code of `url`, `width` pixels wide (clamped to 64–2048). */
export async function qrPng(url: string, width = 512): Promise<Buffer> {
  const w = Math.min(2048, Math.max(64, Math.round(width) || 512));
  return QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: w });
}
