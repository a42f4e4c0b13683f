/** The costly reads of bench/ingest.bench.ts's `reads` run. */

/**
 * `readers` HTTP clients, each sending one costly read after another: every Observation sorted by
 * result (millions after the point and telemetry runs), which runs until the read deadline
 * (CANTHO_QUERY_TIMEOUT_MS, 5 s) stops it with 400 QUERY_TOO_COSTLY.
 */
export function costlyReads(port: number, readers: number): { stop(): Promise<Record<number, number>> } {
  let stopped = false;
  const statuses: Record<number, number> = {};
  const url = `http://127.0.0.1:${port}/v1.1/Observations?$orderby=result%20desc&$skip=1000&$top=1`;
  const loops = Array.from({ length: readers }, async () => {
    while (!stopped) {
      const r = await fetch(url);
      await r.arrayBuffer();
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return statuses;
    },
  };
}
