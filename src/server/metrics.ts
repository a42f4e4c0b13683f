import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SqliteReadPool } from '../storage/read-pool.ts';

/** The process's Prometheus registry, exposed at /metrics; with SQLite read threads, their load. */
export function createMetrics(reads?: SqliteReadPool) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (reads) {
    new Gauge({
      name: 'cantho_sqlite_reads',
      help: `API reads on the ${reads.size} SQLite read threads: running, and waiting for a thread`,
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const { running, waiting } = reads.load;
        this.set({ state: 'running' }, running);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }
  return {
    registry,
    httpRequests: new Counter({ name: 'cantho_http_requests_total', help: 'HTTP requests by method, route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'cantho_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
    observationsWritten: new Counter({ name: 'cantho_observations_written_total', help: 'Observations committed', labelNames: ['via'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
