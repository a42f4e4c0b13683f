/** How long `fn` took, and the longest gap between two ticks of a 2 ms timer meanwhile (the event loop's longest stall). */
export async function stallDuring(fn: () => Promise<void> | void): Promise<{ ms: number; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 2);
  await new Promise((r) => setTimeout(r, 20));
  stall = 0;
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  // The tick held up by a synchronous stretch comes after it.
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { ms, stall };
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
