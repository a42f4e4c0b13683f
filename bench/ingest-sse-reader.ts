/**
 * The SSE client of bench/ingest.bench.ts's latency run, in a process of its own so that reading
 * the stream does not take the server's event loop: follows `BENCH_SSE_URL` with node:http (a
 * plain socket reader, cheaper than fetch's web streams at tens of thousands of events a second),
 * takes each event's latency as now minus the send time the publisher put in `result`, and on the
 * parent's "stop" message sends back the latencies (ms) in arrival order, then exits.
 */
import { get } from 'node:http';

const lat: number[] = [];
let dropped = false;
let stopping = false;
const KEY = '"result":';

const req = get(process.env.BENCH_SSE_URL!, (res) => {
  process.send!({ ready: true });
  let tail = '';
  res.setEncoding('latin1');
  res.on('data', (chunk: string) => {
    const now = performance.timeOrigin + performance.now();
    const text = tail + chunk;
    let at = 0;
    for (;;) {
      const k = text.indexOf(KEY, at);
      if (k < 0) break;
      let end = k + KEY.length;
      while (end < text.length && ((text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) || text.charCodeAt(end) === 46)) end++;
      if (end === text.length) break; // the number may go on in the next chunk
      lat.push(now - Number(text.slice(k + KEY.length, end)));
      at = end;
    }
    tail = text.slice(at);
    if (tail.length > 4096) tail = tail.slice(-4096);
  });
  res.on('end', () => {
    if (!stopping) dropped = true;
  });
  res.on('error', () => {
    if (!stopping) dropped = true;
  });
});
req.on('error', () => {
  if (!stopping) dropped = true;
});

process.on('message', (m: { stop?: boolean }) => {
  if (!m.stop) return;
  stopping = true;
  req.destroy();
  if (process.env.BENCH_DEBUG) { const c = process.cpuUsage(); console.error(`reader cpu ${((c.user + c.system) / 1000).toFixed(0)} ms for ${lat.length} events`); }
  process.send!({ lat, dropped }, () => process.exit(0));
});
