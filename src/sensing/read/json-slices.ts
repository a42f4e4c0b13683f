/** Entities of a page written to JSON text in one turn of the event loop. */
export const SLICE = 1000;

/**
 * A collection's JSON text as one Buffer, its `value` array written SLICE entities a turn of the
 * event loop: JSON.stringify of a page of 10,000 Observations with `$expand` (10 MB) held the loop
 * for about 20 ms in one stretch, and then counting and copying its bytes for about 18 ms more,
 * while every PUBACK, live push and other answer waited. Smaller pages, and every other shape,
 * come back as they are, for Fastify to serialize.
 */
export async function jsonInSlices(body: unknown): Promise<unknown> {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || value.length <= SLICE) return body;
  // The other members keep their places around `value` (the spread keeps the key order).
  const frame = JSON.stringify({ ...(body as object), value: [] });
  const at = frame.lastIndexOf('"value":[]') + '"value":['.length;
  const parts = [Buffer.from(frame.slice(0, at))];
  for (let i = 0; i < value.length; i += SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const items = JSON.stringify(value.slice(i, i + SLICE));
    parts.push(Buffer.from(`${i > 0 ? ',' : ''}${items.slice(1, -1)}`));
  }
  parts.push(Buffer.from(frame.slice(at)));
  return Buffer.concat(parts);
}
