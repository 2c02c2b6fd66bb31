import { EnvReader, LOG_LEVELS, type LogLevel, parseDuration } from '@leadhooks/config';
import { ENDPOINT_TIMEOUT_MAX_MS, RETRY_TIERS } from '@leadhooks/contracts';
import { type EncryptionKeys, readEncryptionKeys } from '@leadhooks/db';
import { type KafkaConnectionSettings, readKafkaConnection } from '@leadhooks/messaging';
import { LOG_FORMATS, type LogFormat } from '@leadhooks/observability';
import { AllowedTargets } from '@leadhooks/webhooks';

/** Every setting the dispatcher reads, validated once at start-up (docs/configuration.md lists them). */
export interface DispatcherConfig {
  port: number;
  host: string;
  /** /metrics on a port of its own (METRICS_PORT); null: on PORT beside the rest. */
  metricsPort: number | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  databaseUrl: string;
  dbPoolSize: number;
  dataEncryptionKeys: EncryptionKeys;
  /** Brokers, TLS and SASL (docs/kafka.md). */
  kafka: KafkaConnectionSettings;
  kafkaTopicPrefix: string;
  kafkaGroupId: string;
  kafkaSessionTimeoutMs: number;
  partitionsConsumedConcurrently: number;
  /** Deliveries in flight per partition (distinct leads; one lead's messages stay in order). */
  maxInFlightPerPartition: number;
  /** Fetched messages held per partition before it is paused (see DueTimeKafkaServer). */
  maxBufferedPerPartition: number;
  /** How often handled offsets are committed. */
  commitIntervalMs: number;
  /** A message whose handler throws this many times in a row goes to the DLT (reason `poison`). */
  handlerMaxFailures: number;
  /**
   * On SIGTERM, how long in-flight deliveries may run before the consumer leaves: the longest timeout any endpoint
   * may have (an endpoint's own, up to ENDPOINT_TIMEOUT_MAX_MS, or WEBHOOK_TIMEOUT_MS) plus SHUTDOWN_MARGIN for
   * recording outcomes. Every stop grace (compose, orchestrators) must be longer than this.
   */
  shutdownDrainMs: number;
  /** Group commit of fan-outs, delivery claims and outcomes: statements in flight at once, deliveries per statement. */
  lockBatching: { concurrency: number; maxBatch: number };
  /** One delay per retry tier (1m,2m,4m,8m,16m by default). */
  retryDelaysMs: number[];
  retryJitterRatio: number;
  retryAfterMaxMs: number;
  webhookTimeoutMs: number;
  webhookMaxResponseBytes: number;
  allowInsecureWebhookUrls: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: private hook targets the operator permits (host names, addresses, CIDRs; none by default). */
  webhookAllowedTargets: AllowedTargets;
  /** The delivery lease outlives the endpoint's HTTP timeout by this margin (see DeliveryLockRepository). */
  leaseMarginMs: number;
  /** Outbound requests per second per endpoint unless the endpoint sets its own (0 = unlimited). */
  endpointRateLimitPerSecond: number;
  /** Requests in flight at once per endpoint and per site (all its endpoints together); see docs/isolation.md. */
  slots: { perEndpoint: number; perSite: number };
  /** How long a delivery that found no free slot waits before it looks again. */
  slotWaitMs: number;
  /**
   * Outbound mappings (`format: custom`, SPEC §14): evaluation workers, each evaluation's time limit, and per
   * endpoint how many evaluations run and wait at once (a slow mapping holds one worker, never all of them).
   */
  outboundMapping: {
    workers: number;
    timeoutMs: number;
    concurrencyPerEndpoint: number;
    queuePerEndpoint: number;
  };
  /** The stranded-delivery sweep (StrandedDeliverySweeper): how often, and how overdue a PENDING delivery must be. */
  sweep: { intervalMs: number; marginMs: number };
  /** Automatic re-drive of retryable dead letters (0 = off): how often, and for how long after submission. */
  redrive: { intervalMs: number; windowMs: number; batchSize: number };
  /** The dispatcher's outbox relay (publishes the hand-ons it records: next tiers, DLT). */
  relay: {
    enabled: boolean;
    batchSize: number;
    pollIntervalMs: number;
    lingerMs: number;
    retentionMs: number;
  };
}

export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
): DispatcherConfig {
  const read = new EnvReader(env);
  const retryDelaysMs = read.durationList('RETRY_DELAYS', '1m,2m,4m,8m,16m');
  const retryJitterPercent = read.int('RETRY_JITTER_PERCENT', 10, { min: 0, max: 100 });
  const config: DispatcherConfig = {
    port: read.int('PORT', 3001, { min: 0, max: 65535 }),
    host: read.string('HOST', '0.0.0.0'),
    metricsPort: read.isSet('METRICS_PORT') ? read.int('METRICS_PORT', 0, { min: 1, max: 65535 }) : null,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'log'),
    logFormat: read.oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dbPoolSize: read.int('DB_POOL_SIZE', 20, { min: 1, max: 500 }),
    dataEncryptionKeys: readEncryptionKeys(read),
    kafka: readKafkaConnection(read),
    kafkaTopicPrefix: read.string('KAFKA_TOPIC_PREFIX', ''),
    kafkaGroupId: read.string('KAFKA_GROUP_ID', 'zapier-dispatcher'),
    kafkaSessionTimeoutMs: read.durationMs('KAFKA_SESSION_TIMEOUT', '30s'),
    partitionsConsumedConcurrently: read.int('KAFKA_PARTITIONS_CONCURRENCY', 12, { min: 1, max: 1000 }),
    maxInFlightPerPartition: read.int('DELIVERY_CONCURRENCY_PER_PARTITION', 16, { min: 1, max: 1000 }),
    maxBufferedPerPartition: read.int('DELIVERY_BUFFER_PER_PARTITION', 500, { min: 1, max: 100_000 }),
    commitIntervalMs: read.durationMs('KAFKA_COMMIT_INTERVAL', '500ms'),
    handlerMaxFailures: read.int('HANDLER_MAX_FAILURES', 5, { min: 1, max: 1000 }),
    shutdownDrainMs: 0,
    lockBatching: {
      concurrency: read.int('LEAD_LOCK_WRITE_CONCURRENCY', 2, { min: 1, max: 500 }),
      maxBatch: read.int('LEAD_LOCK_BATCH_MAX', 100, { min: 1, max: 1000 }),
    },
    retryDelaysMs,
    retryJitterRatio: retryJitterPercent / 100,
    retryAfterMaxMs: read.durationMs('RETRY_AFTER_MAX', '1h'),
    webhookTimeoutMs: read.int('WEBHOOK_TIMEOUT_MS', 15_000, { min: 100, max: 120_000 }),
    webhookMaxResponseBytes: read.int('WEBHOOK_MAX_RESPONSE_BYTES', 4096, { min: 0, max: 1_048_576 }),
    allowInsecureWebhookUrls: read.bool('ALLOW_INSECURE_WEBHOOK_URLS', false),
    webhookAllowedTargets: read.parse('WEBHOOK_ALLOWED_HOSTS', '', (text) => AllowedTargets.parse(text)),
    leaseMarginMs: read.parse('LEAD_LEASE_MARGIN', '15s', (text) => {
      const ms = parseDuration(text);
      // The margin is what lets a holder record its outcome after a full-length request; 0 would fence nothing.
      if (ms < 1_000) throw new Error('must be at least 1s (the lease must outlive the webhook timeout)');
      return ms;
    }),
    // SITE_RATE_LIMIT_PER_SECOND is the name from before endpoints (one hook per site); still read.
    endpointRateLimitPerSecond: read.int(
      'ENDPOINT_RATE_LIMIT_PER_SECOND',
      read.int('SITE_RATE_LIMIT_PER_SECOND', 25, { min: 0, max: 100_000 }),
      { min: 0, max: 100_000 },
    ),
    slots: {
      perEndpoint: read.int('DELIVERY_SLOTS_PER_ENDPOINT', 8, { min: 1, max: 10_000 }),
      perSite: read.int('DELIVERY_SLOTS_PER_SITE', 32, { min: 1, max: 10_000 }),
    },
    slotWaitMs: read.durationMs('DELIVERY_SLOT_WAIT', '1s'),
    outboundMapping: {
      workers: read.int('OUTBOUND_MAPPING_WORKERS', 2, { min: 1, max: 64 }),
      timeoutMs: read.int('OUTBOUND_MAPPING_TIMEOUT_MS', 1_000, { min: 10, max: 10_000 }),
      concurrencyPerEndpoint: read.int('OUTBOUND_MAPPING_CONCURRENCY_PER_ENDPOINT', 1, { min: 1, max: 64 }),
      queuePerEndpoint: read.int('OUTBOUND_MAPPING_QUEUE_PER_ENDPOINT', 50, { min: 0, max: 10_000 }),
    },
    sweep: {
      intervalMs: read.durationMs('SWEEP_INTERVAL', '1m'),
      marginMs: read.durationMs('SWEEP_MARGIN', '10m'),
    },
    redrive: {
      intervalMs: read.durationMs('REDRIVE_INTERVAL', '1h'),
      windowMs: read.durationMs('REDRIVE_WINDOW', '3d'),
      batchSize: read.int('REDRIVE_BATCH', 500, { min: 1, max: 100_000 }),
    },
    relay: {
      enabled: read.bool('OUTBOX_RELAY_ENABLED', true),
      batchSize: read.int('OUTBOX_BATCH_SIZE', 500, { min: 1, max: 10_000 }),
      pollIntervalMs: read.durationMs('OUTBOX_POLL_INTERVAL', '1s'),
      lingerMs: read.durationMs('OUTBOX_LINGER', '5ms'),
      retentionMs: read.durationMs('OUTBOX_RETENTION', '24h'),
    },
  };
  config.shutdownDrainMs =
    Math.max(config.webhookTimeoutMs, ENDPOINT_TIMEOUT_MAX_MS) + read.durationMs('SHUTDOWN_MARGIN', '5s');
  if (retryDelaysMs && retryDelaysMs.length !== RETRY_TIERS.length) {
    read.parse('RETRY_DELAYS', undefined, () => {
      throw new Error(`needs exactly ${RETRY_TIERS.length} delays, one per tier (${RETRY_TIERS.join(',')})`);
    });
  }
  read.done();
  return config;
}
