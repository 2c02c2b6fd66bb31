import type { ConnectionOptions } from 'node:tls';
import kafkajs, {
  type ISocketFactory,
  type Kafka,
  type LogEntry,
  type logCreator,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConnectionSettings, KafkaSaslSettings, KafkaTlsSettings } from './kafka-connection.js';

export interface KafkaSettings extends Partial<Pick<KafkaConnectionSettings, 'tls' | 'sasl'>> {
  brokers: string[];
  clientId: string;
  /** Per-request timeout; keep well under the consumer session timeout (SPEC §6). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Tests only: route broker connections through a proxy (to hold responses, or cut the line). */
  socketFactory?: ISocketFactory;
}

type Log = (
  level: 'error' | 'warn' | 'info' | 'debug',
  message: string,
  extra: Record<string, unknown>,
) => void;

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkajs.logLevel.ERROR]: 'error',
  [kafkajs.logLevel.WARN]: 'warn',
  [kafkajs.logLevel.INFO]: 'info',
  [kafkajs.logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logs (warnings and errors only) into the app logger. */
function logCreatorFor(log: Log): logCreator {
  return () =>
    ({ level, namespace, log: entry }: LogEntry) => {
      const { message, ...extra } = entry;
      // Our idempotent producers deliberately bound their retries (a relay must give up and roll back rather
      // than hold a transaction forever); we rely on at-least-once plus the lead lock, not on exactly-once.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      log(LEVELS[level] ?? 'info', `kafkajs ${namespace}: ${message}`, extra);
    };
}

function tlsOptions(tls: KafkaTlsSettings): ConnectionOptions {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(tls.keyPassphrase ? { passphrase: tls.keyPassphrase } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

/** MSK IAM: AWS's signer makes a short-lived OAUTHBEARER token from the SDK's default credentials. */
async function mskIamToken(region: string): Promise<{ value: string }> {
  // Loaded only when MSK IAM is configured: the AWS SDK is large and nothing else needs it.
  const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
  const { token } = await generateAuthToken({ region });
  return { value: token };
}

export function saslOptions(sasl: KafkaSaslSettings): SASLOptions {
  if (sasl.mechanism === 'aws-msk-iam')
    return { mechanism: 'oauthbearer', oauthBearerProvider: () => mskIamToken(sasl.region) };
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

export function createKafka(settings: KafkaSettings, log?: Log): Kafka {
  return new kafkajs.Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.tls ? { ssl: tlsOptions(settings.tls) } : {}),
    ...(settings.sasl ? { sasl: saslOptions(settings.sasl) } : {}),
    requestTimeout: settings.requestTimeoutMs ?? 10_000,
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    logLevel: kafkajs.logLevel.WARN,
    ...(log ? { logCreator: logCreatorFor(log) } : {}),
    ...(settings.socketFactory ? { socketFactory: settings.socketFactory } : {}),
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
  });
}
