/** The most one client's socket may hold unsent, and the least it is granted however many share the buffer. */
const MAX_SHARE = 8 * 1024 * 1024;
const MIN_SHARE = 64 * 1024;

/**
 * What one of `clients` may hold unsent of a `buffer` they share (live push, the embedded broker):
 * an equal part, at least 64 KiB and at most 8 MiB. Slow clients together hold at most the buffer,
 * or 64 KiB each when there are so many that their parts would be smaller.
 */
export function shareOf(buffer: number, clients: number): number {
  return Math.min(MAX_SHARE, Math.max(MIN_SHARE, buffer / Math.max(1, clients)));
}
