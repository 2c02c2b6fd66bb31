import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader, LOG_LEVELS, type LogLevel } from '@leadhooks/config';
import { type EncryptionKeys, readEncryptionKeys } from '@leadhooks/db';
import {
  DEFAULT_MAX_SEND_BYTES,
  type KafkaConnectionSettings,
  readKafkaConnection,
} from '@leadhooks/messaging';
import { LOG_FORMATS, type LogFormat } from '@leadhooks/observability';
import { AllowedTargets } from '@leadhooks/webhooks';

/** Every setting leads-api reads, validated once at start-up (docs/configuration.md lists them). */
export interface LeadsApiConfig {
  port: number;
  host: string;
  /** /metrics on a port of its own (METRICS_PORT); null: on PORT beside the rest. */
  metricsPort: number | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
  databaseUrl: string;
  dbPoolSize: number;
  /** Brokers, TLS and SASL (docs/kafka.md). */
  kafka: KafkaConnectionSettings;
  kafkaTopicPrefix: string;
  /** Bytes of one topic (so of any partition) in one Kafka send; under the broker's message.max.bytes. */
  kafkaMaxSendBytes: number;
  dataEncryptionKeys: EncryptionKeys;
  allowInsecureWebhookUrls: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: private hook targets the operator permits (host names, addresses, CIDRs; none by default). */
  webhookAllowedTargets: AllowedTargets;
  adminApiKey: string | undefined;
  bodyLimitBytes: number;
  /** Largest serialized lead stored (intake and PATCH); see leadSizeProblem. */
  leadMaxBytes: number;
  trustProxy: boolean;
  /** A form field bots fill in and people never see; a submission carrying it is dropped silently. */
  honeypotField: string;
  rateLimit: {
    perIpPerMinute: number;
    perSitePerSecond: number;
    /** Client IPs and hostnames whose budgets are kept at once (memory bound; see IntakeThrottlerStorage). */
    maxKeys: number;
  };
  secretRotationGraceMs: number;
  /** How long intake may use a cached site (0 = always read it); see SiteDirectory. */
  siteCacheTtlMs: number;
  /** Group commit for intake (see IntakeWriter): statements in flight at once, leads per statement. */
  intakeWrites: { concurrency: number; maxBatch: number };
  webhookTimeoutMs: number;
  /** Where this API is reached from outside (`https://leads.example.com`), for absolute source URLs; null: paths only. */
  publicBaseUrl: string | null;
  /** Outbound mappings (SPEC §14) as this app evaluates them: previews and test sends of `custom` endpoints. */
  outboundMapping: {
    /** Worker threads (started with the first preview). */
    workers: number;
    /** Wall time of one evaluation (the dispatcher has its own OUTBOUND_MAPPING_TIMEOUT_MS). */
    timeoutMs: number;
  };
  /** Inbound sources (SPEC §14): what other form tools post to `/v1/inbound/{token}`. */
  inbound: {
    /** Largest request body a source takes (a tool's payload can be larger than a form post). */
    bodyLimitBytes: number;
    /** Requests per second one source takes (0 = no limit); a site's sources together take RATE_LIMIT_PER_SITE_PER_SECOND. */
    perSourcePerSecond: number;
    /** How far a signed timestamp (Webflow) may be from now. */
    signatureToleranceMs: number;
    mapping: {
      /** Worker threads evaluating mappings. */
      workers: number;
      /**
       * Wall time of one evaluation. Generous on purpose (a mapping takes a few ms): it is wall time, so on a starved
       * machine a tight limit would refuse real leads; the per-source gate, not this limit, keeps a slow source to
       * its share.
       */
      timeoutMs: number;
      /** Evaluations of one source at once, and waiting; beyond that the source gets 429 (its share, no more). */
      concurrencyPerSource: number;
      queuePerSource: number;
    };
    log: {
      /** Longest body kept per line, in characters. */
      bodyMaxChars: number;
      /** Lines waiting to be written at most; beyond that lines are dropped (counted), never leads. */
      maxPending: number;
    };
  };
  /** The retention sweep (docs/privacy.md): what is kept how long, and how it runs. */
  retention: {
    /** LEAD_RETENTION_DAYS: the default of sites without their own `retention_days`; 0 keeps leads forever. */
    leadDays: number;
    /** ATTEMPT_TEXT_RETENTION_DAYS: delivery attempts' error texts and snippets (a receiver's words); 0: forever. */
    attemptTextDays: number;
    /** INBOUND_LOG_RETENTION_DAYS (or the older INBOUND_LOG_RETENTION duration), in ms; 0: forever. */
    inboundLogMs: number;
    /** How often a sweep runs (0: never, in this process). */
    intervalMs: number;
    batchSize: number;
    maxBatches: number;
  };
  console: {
    /** Where the admin console's built bundle is (served at /console/); null: not served by this process. */
    dir: string | null;
    /** Origins of a console deployed on its own, allowed to call the admin API from the browser (CORS). */
    origins: string[];
  };
  relay: {
    /** Run the outbox relay inside the API process (it can also run alone: dist/relay.main.js). */
    enabled: boolean;
    batchSize: number;
    pollIntervalMs: number;
    /** After a wake-up, wait this long before claiming, so rows committed meanwhile join the batch. */
    lingerMs: number;
    retentionMs: number;
  };
}

/** The console bundle beside this app in the repository (apps/admin-console/dist), when it was built. */
function defaultConsoleDir(): string {
  const dir = fileURLToPath(new URL('../../../admin-console/dist/', import.meta.url));
  return existsSync(path.join(dir, 'index.html')) ? dir : '';
}

export function loadLeadsApiConfig(env: Record<string, string | undefined> = process.env): LeadsApiConfig {
  const read = new EnvReader(env);
  const config: LeadsApiConfig = {
    port: read.int('PORT', 3000, { min: 0, max: 65535 }),
    host: read.string('HOST', '0.0.0.0'),
    metricsPort: read.isSet('METRICS_PORT') ? read.int('METRICS_PORT', 0, { min: 1, max: 65535 }) : null,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'log'),
    logFormat: read.oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    databaseUrl: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dbPoolSize: read.int('DB_POOL_SIZE', 20, { min: 1, max: 500 }),
    kafka: readKafkaConnection(read),
    kafkaTopicPrefix: read.string('KAFKA_TOPIC_PREFIX', ''),
    kafkaMaxSendBytes: read.int('KAFKA_MAX_SEND_BYTES', DEFAULT_MAX_SEND_BYTES, {
      min: 1024,
      max: 100 * 1024 * 1024,
    }),
    dataEncryptionKeys: readEncryptionKeys(read),
    allowInsecureWebhookUrls: read.bool('ALLOW_INSECURE_WEBHOOK_URLS', false),
    webhookAllowedTargets: read.parse('WEBHOOK_ALLOWED_HOSTS', '', (text) => AllowedTargets.parse(text)),
    adminApiKey: read.secret('ADMIN_API_KEY', { optional: true, minLength: 24 }),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 64 * 1024, { min: 1024, max: 10 * 1024 * 1024 }),
    leadMaxBytes: read.int('LEAD_MAX_BYTES', 128 * 1024, { min: 1024, max: 1024 * 1024 }),
    trustProxy: read.bool('TRUST_PROXY', false),
    honeypotField: read.string('HONEYPOT_FIELD', '_gotcha'),
    rateLimit: {
      perIpPerMinute: read.int('RATE_LIMIT_PER_IP_PER_MINUTE', 60, { min: 0, max: 10_000_000 }),
      perSitePerSecond: read.int('RATE_LIMIT_PER_SITE_PER_SECOND', 200, { min: 0, max: 10_000_000 }),
      maxKeys: read.int('RATE_LIMIT_MAX_KEYS', 100_000, { min: 100, max: 10_000_000 }),
    },
    secretRotationGraceMs: read.durationMs('SECRET_ROTATION_GRACE', '24h'),
    console: {
      dir: read.string('CONSOLE_DIR', defaultConsoleDir()) || null,
      origins: read.list('CONSOLE_ORIGINS', '').map((origin) => {
        const url = URL.canParse(origin) ? new URL(origin) : null;
        if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
          throw new Error(`CONSOLE_ORIGINS: '${origin}' is not an origin like https://console.example.com`);
        return url.origin;
      }),
    },
    siteCacheTtlMs: read.durationMs('SITE_CACHE_TTL', '5s'),
    intakeWrites: {
      concurrency: read.int('INTAKE_WRITE_CONCURRENCY', 4, { min: 1, max: 500 }),
      maxBatch: read.int('INTAKE_BATCH_MAX', 100, { min: 1, max: 1000 }),
    },
    webhookTimeoutMs: read.int('WEBHOOK_TIMEOUT_MS', 15_000, { min: 100, max: 120_000 }),
    publicBaseUrl: read.parse('PUBLIC_BASE_URL', '', (text) => {
      if (!text) return null;
      const url = new URL(text);
      if (!/^https?:$/.test(url.protocol) || url.search || url.hash)
        throw new Error(`'${text}' is not a base URL like https://leads.example.com`);
      return url.href.replace(/\/$/, '');
    }),
    outboundMapping: {
      workers: read.int('OUTBOUND_MAPPING_WORKERS', 1, { min: 1, max: 64 }),
      timeoutMs: read.int('OUTBOUND_MAPPING_TIMEOUT_MS', 1_000, { min: 10, max: 10_000 }),
    },
    inbound: {
      bodyLimitBytes: read.int('INBOUND_BODY_LIMIT_BYTES', 256 * 1024, { min: 1024, max: 10 * 1024 * 1024 }),
      perSourcePerSecond: read.int('INBOUND_RATE_LIMIT_PER_SOURCE_PER_SECOND', 20, {
        min: 0,
        max: 1_000_000,
      }),
      signatureToleranceMs: read.durationMs('INBOUND_SIGNATURE_TOLERANCE', '5m'),
      mapping: {
        workers: read.int('INBOUND_MAPPING_WORKERS', 2, { min: 1, max: 64 }),
        timeoutMs: read.int('INBOUND_MAPPING_TIMEOUT_MS', 1_000, { min: 10, max: 10_000 }),
        concurrencyPerSource: read.int('INBOUND_MAPPING_CONCURRENCY_PER_SOURCE', 1, { min: 1, max: 64 }),
        queuePerSource: read.int('INBOUND_MAPPING_QUEUE_PER_SOURCE', 20, { min: 0, max: 10_000 }),
      },
      log: {
        bodyMaxChars: read.int('INBOUND_LOG_BODY_CHARS', 32 * 1024, { min: 0, max: 1024 * 1024 }),
        maxPending: read.int('INBOUND_LOG_MAX_PENDING', 10_000, { min: 10, max: 1_000_000 }),
      },
    },
    retention: readRetention(read),
    relay: {
      enabled: read.bool('OUTBOX_RELAY_ENABLED', true),
      batchSize: read.int('OUTBOX_BATCH_SIZE', 500, { min: 1, max: 10_000 }),
      pollIntervalMs: read.durationMs('OUTBOX_POLL_INTERVAL', '1s'),
      lingerMs: read.durationMs('OUTBOX_LINGER', '5ms'),
      retentionMs: read.durationMs('OUTBOX_RETENTION', '24h'),
    },
  };
  read.done();
  return config;
}

const DAY_MS = 86_400_000;
/** A century: a retention longer than this is a typo. */
const MAX_RETENTION_DAYS = 36_500;

/**
 * The retention settings. INBOUND_LOG_RETENTION (a duration, the name before retention had its own settings) is
 * still read when INBOUND_LOG_RETENTION_DAYS is not set; both at once is refused. INBOUND_LOG_PRUNE_INTERVAL is
 * refused: RETENTION_SWEEP_INTERVAL runs every retention job now.
 */
function readRetention(read: EnvReader): LeadsApiConfig['retention'] {
  const days = (name: string, fallback: number) =>
    read.int(name, fallback, { min: 0, max: MAX_RETENTION_DAYS });
  if (read.isSet('INBOUND_LOG_RETENTION') && read.isSet('INBOUND_LOG_RETENTION_DAYS'))
    read.reject(
      'INBOUND_LOG_RETENTION',
      'and INBOUND_LOG_RETENTION_DAYS are both set; keep INBOUND_LOG_RETENTION_DAYS',
    );
  if (read.isSet('INBOUND_LOG_PRUNE_INTERVAL'))
    read.reject(
      'INBOUND_LOG_PRUNE_INTERVAL',
      'is replaced by RETENTION_SWEEP_INTERVAL (one sweep runs every retention job)',
    );
  return {
    leadDays: days('LEAD_RETENTION_DAYS', 0),
    attemptTextDays: days('ATTEMPT_TEXT_RETENTION_DAYS', 30),
    inboundLogMs:
      read.isSet('INBOUND_LOG_RETENTION') && !read.isSet('INBOUND_LOG_RETENTION_DAYS')
        ? read.durationMs('INBOUND_LOG_RETENTION', '7d')
        : days('INBOUND_LOG_RETENTION_DAYS', 7) * DAY_MS,
    intervalMs: read.durationMs('RETENTION_SWEEP_INTERVAL', '1h'),
    batchSize: read.int('RETENTION_BATCH_SIZE', 200, { min: 1, max: 10_000 }),
    maxBatches: read.int('RETENTION_MAX_BATCHES', 500, { min: 1, max: 1_000_000 }),
  };
}
