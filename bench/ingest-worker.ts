/**
 * One load-generating process of bench/ingest.bench.ts: several mqtt.js connections publishing
 * QoS 1 for a fixed time, each with a window of messages in flight, counting PUBACKs per second
 * and reporting them to the parent over IPC. Modes: `point` (one data point per message on
 * v1.1/Datastreams(id)/Observations), `telemetry` (10 data points on cantho/v1/devices/{id}/telemetry)
 * and `paced` (a fixed total rate, the result being the send time, for the latency run).
 */
import mqtt from 'mqtt';

interface Job {
  url: string;
  mode: 'point' | 'telemetry' | 'paced';
  seconds: number;
  connections: number;
  window: number;
  prefix: string;
  password?: string;
  /** Datastream ids (point, paced) or device ids (telemetry), taken round-robin per connection. */
  targets: (number | string)[];
  /** paced: messages per second for this process. */
  rate?: number;
  worker: number;
}

const job = JSON.parse(process.env.BENCH_JOB!) as Job;
let acked = 0;
let stop = false;

function payload(i: number): string {
  if (job.mode === 'point') return `{"result":${i % 1000}}`;
  if (job.mode === 'paced') return `{"result":${performance.timeOrigin + performance.now()}}`;
  let s = `{"ts":${Date.now()}`;
  for (let k = 0; k < 10; k++) s += `,"c${k}":${(i + k) % 100}`;
  return `${s}}`;
}

function topic(c: number): string {
  const t = job.targets[(job.worker * job.connections + c) % job.targets.length];
  return job.mode === 'telemetry' ? `${job.prefix}cantho/v1/devices/${t}/telemetry` : `${job.prefix}v1.1/Datastreams(${t})/Observations`;
}

async function run(c: number): Promise<void> {
  const client = await mqtt
    .connectAsync(job.url, {
      reconnectPeriod: 0,
      clientId: `bench-${process.pid}-${c}`,
      ...(job.password ? { username: 'bench', password: job.password } : {}),
    })
    .catch((e: Error) => {
      // A server whose event loop is held (the run with reads on it) may not answer a CONNECT in time.
      process.send!({ acked: 0, failed: e.message });
      return null;
    });
  if (!client) return;
  const t = topic(c);
  let i = 0;
  if (job.mode === 'paced') {
    const every = (1000 * job.connections) / job.rate!;
    let next = performance.now() + Math.random() * every;
    while (!stop) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += every;
      client.publish(t, payload(i++), { qos: 1 }, (err) => {
        if (!err) acked++;
      });
    }
  } else {
    const lane = async () => {
      while (!stop) {
        await client.publishAsync(t, payload(i++), { qos: 1 });
        acked++;
      }
    };
    await Promise.all(Array.from({ length: job.window }, lane)).catch(() => {});
  }
  // Paced publishes do not wait for their acks: against a server whose event loop is held (the run
  // with reads on it) a plain end() waited for every one of them (more than 16 minutes on the
  // twelfth machine, until stopped). The run is over, so what is still unacknowledged is dropped.
  await client.endAsync(job.mode === 'paced').catch(() => {});
}

const timer = setInterval(() => {
  process.send!({ acked });
  acked = 0;
}, 1000);
setTimeout(() => {
  stop = true;
}, job.seconds * 1000);
await Promise.all(Array.from({ length: job.connections }, (_, c) => run(c)));
clearInterval(timer);
const cpu = process.cpuUsage();
process.send!({ acked, done: true, cpuUs: cpu.user + cpu.system });
process.disconnect();
