import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why an incoming message or data point was refused (label values of the rejected counter). */
export type RejectReason =
  | 'unauthenticated' // anonymous publisher (§ auth baseline: anonymous clients never write)
  | 'forbidden' // the key's role or Thing scope does not allow this stream
  | 'topic' // not a create topic (OGC 18-088 §14.2.1) nor a telemetry topic
  | 'malformed' // payload is not a JSON object
  | 'invalid' // fails the Observation rules (§8.2.7, §10.2)
  | 'unknown_stream' // Datastream / MultiDatastream / FeatureOfInterest / device does not exist
  | 'unknown_code' // telemetry key matches no Datastream code of the device
  | 'wrong_type' // value does not fit the Datastream's observationType
  | 'too_large'; // an MQTT packet above MQTT_MAX_PACKET_SIZE (its connection is closed)

/**
 * Ingestion metrics on the platform's Prometheus registry: what came in, what was committed, what
 * was refused and why, how deep the group-commit queue is and how long a commit takes.
 */
export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messages: new Counter({ name: 'cantho_ingest_messages_total', help: 'Messages received for ingestion, by transport', labelNames: ['transport'], registers }),
    committed: new Counter({ name: 'cantho_ingest_observations_committed_total', help: 'Observations committed through the group-commit writer', registers }),
    rejected: new Counter({ name: 'cantho_ingest_rejected_total', help: 'Messages or data points refused, by reason', labelNames: ['reason'], registers }),
    queueDepth: new Gauge({ name: 'cantho_ingest_queue_depth', help: 'Observations waiting in the group-commit queue', registers }),
    commitSeconds: new Histogram({
      name: 'cantho_ingest_commit_seconds',
      help: 'Duration of one group commit (one transaction)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    batchSize: new Histogram({ name: 'cantho_ingest_batch_observations', help: 'Observations per group commit', buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384], registers }),
    notifyDropped: new Counter({ name: 'cantho_ingest_notify_dropped_total', help: 'Change notifications dropped because a consumer fell behind', labelNames: ['consumer'], registers }),
    brokerDropped: new Gauge({
      name: 'cantho_bridge_broker_dropped_messages',
      help: "Bridge mode: the external broker's own count of messages it dropped at its queue limits (Mosquitto $SYS/broker/publish/messages/dropped)",
      registers,
    }),
    connectionsRefused: new Counter({ name: 'cantho_mqtt_connections_refused_total', help: 'Embedded broker: CONNECTs refused (bad_key: a password that is no valid API key)', labelNames: ['reason'], registers }),
    subscriptionsRefused: new Counter({
      name: 'cantho_mqtt_subscriptions_refused_total',
      help: 'Embedded broker: SUBSCRIBE topics refused (topic: not a resource path; not_found: no such entity, or private to this client; too_many: the client holds MQTT_MAX_SUBSCRIPTIONS already)',
      labelNames: ['reason'],
      registers,
    }),
    sessionDropped: new Counter({
      name: 'cantho_mqtt_session_dropped_total',
      help: 'Embedded broker: QoS 1/2 messages not kept for a persistent session that already held MQTT_MAX_QUEUED',
      registers,
    }),
    mqttCutOff: new Counter({
      name: 'cantho_mqtt_cut_off_total',
      help: 'Embedded broker: clients disconnected because their sockets held more than their share of MQTT_BUFFER unsent (they did not read)',
      registers,
    }),
    sessionsAway: new Gauge({ name: 'cantho_mqtt_sessions_away', help: 'Embedded broker: persistent sessions kept while their clients are away', registers }),
    liveClients: new Gauge({ name: 'cantho_live_clients', help: 'Connected Server-Sent Events clients', registers }),
    liveCutOff: new Counter({
      name: 'cantho_live_cut_off_total',
      help: 'Server-Sent Events clients cut off for not keeping up (their share of CANTHO_LIVE_BUFFER unsent, or too much arriving during their resume); they resume with Last-Event-ID',
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
