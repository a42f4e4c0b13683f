import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import type { Change } from './changes.ts';
import type { Fanout } from './hub.ts';

/** Changes per NATS message (well under the default 1 MB max_payload). */
const CHUNK = 1000;

/**
 * Fans changes out to every node through one NATS subject (core NATS publish/subscribe, this node
 * included): each node's SSE clients and embedded-broker subscribers then see every change committed
 * anywhere exactly once. Delivery is at most once across a NATS disconnect; SSE clients recover a
 * gap with Last-Event-ID (database fallback).
 */
export class NatsFanout implements Fanout {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly sub: Subscription,
    private readonly subject: string,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, subject: string, onBatch: (batch: Change[]) => void, logger: Logger): Promise<NatsFanout> {
    const nc = await connect({ servers: url, name: 'cantho', maxReconnectAttempts: -1 });
    const sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          logger.error({ err }, 'NATS subscription error');
          return;
        }
        try {
          onBatch(JSON.parse(new TextDecoder().decode(msg.data)) as Change[]);
        } catch (e) {
          logger.error({ err: e }, 'bad NATS change message');
        }
      },
    });
    // The subscription is registered on the server before anything is published from here.
    await nc.flush();
    logger.info({ subject }, 'NATS fan-out connected');
    return new NatsFanout(nc, sub, subject, logger);
  }

  publish(batch: Change[]): void {
    const enc = new TextEncoder();
    for (let i = 0; i < batch.length; i += CHUNK) {
      try {
        this.nc.publish(this.subject, enc.encode(JSON.stringify(batch.slice(i, i + CHUNK))));
      } catch (err) {
        this.logger.error({ err }, 'NATS publish failed');
      }
    }
  }

  async close(): Promise<void> {
    await this.nc.flush().catch(() => {});
    // Let in-flight deliveries of our own last publications arrive before leaving.
    await new Promise((r) => setTimeout(r, 50));
    this.sub.unsubscribe();
    await this.nc.close();
  }
}
