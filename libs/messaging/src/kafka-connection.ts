import crypto from 'node:crypto';
import fs from 'node:fs';
import type { EnvReader } from '@leadhooks/config';

/**
 * TLS to the brokers. Certificates and keys are read from files (a Kubernetes Secret mounted as a volume, a file
 * beside the compose file); an empty field means "not set": the system's CAs, no client certificate.
 */
export interface KafkaTlsSettings {
  /** PEM CA bundle the brokers' certificates chain to (private CAs: Aiven, self-hosted); absent: the system's CAs. */
  ca?: string;
  /** PEM client certificate and its key (mutual TLS: Aiven's "client certificate" authentication). */
  cert?: string;
  key?: string;
  keyPassphrase?: string;
  /** The name checked against the brokers' certificates when it is not the host in KAFKA_BROKERS. */
  servername?: string;
  /** false only when said explicitly (KAFKA_TLS_REJECT_UNAUTHORIZED=false): never a default. */
  rejectUnauthorized: boolean;
}

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export type KafkaSaslSettings =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  /** MSK IAM: the AWS SDK's default credentials (IRSA, instance role, AWS_* variables) sign a token per connection. */
  | { mechanism: 'aws-msk-iam'; region: string };

/** How a process reaches Kafka: brokers, TLS and SASL. Every Kafka client of the project is built from this. */
export interface KafkaConnectionSettings {
  brokers: string[];
  tls: KafkaTlsSettings | null;
  sasl: KafkaSaslSettings | null;
}

/** The settings KAFKA_* reads, for docs and checks (deploy/kubernetes is checked against them). */
export const KAFKA_CONNECTION_VARIABLES = [
  'KAFKA_BROKERS',
  'KAFKA_TLS',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
  'KAFKA_TLS_KEY_PASSPHRASE',
  'KAFKA_TLS_SERVERNAME',
  'KAFKA_TLS_REJECT_UNAUTHORIZED',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_AWS_REGION',
] as const;

const TLS_DETAILS = [
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
  'KAFKA_TLS_KEY_PASSPHRASE',
  'KAFKA_TLS_SERVERNAME',
  'KAFKA_TLS_REJECT_UNAUTHORIZED',
] as const;

/** A PEM file's text, checked to hold what it should; the reason names the file, never its content. */
function readPem(file: string, kind: 'certificate' | 'key', passphrase?: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read ${file} (${code})`, { cause: error });
  }
  try {
    if (kind === 'certificate') new crypto.X509Certificate(text);
    else crypto.createPrivateKey({ key: text, ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw new Error(
      kind === 'certificate'
        ? `${file} holds no PEM certificate`
        : `${file} holds no PEM private key this process can read${passphrase ? ' with KAFKA_TLS_KEY_PASSPHRASE' : ''}`,
    );
  }
  return text;
}

function readTls(read: EnvReader): KafkaTlsSettings | null {
  const enabled = read.bool('KAFKA_TLS', false);
  if (!enabled) {
    // A certificate path with TLS off is a half-made setting: say so rather than connect in plaintext.
    for (const name of TLS_DETAILS)
      if (read.isSet(name)) read.reject(name, 'is set but KAFKA_TLS is not true');
    return null;
  }
  const keyPassphrase = read.optionalString('KAFKA_TLS_KEY_PASSPHRASE');
  const file = (name: string, kind: 'certificate' | 'key'): string | undefined =>
    read.isSet(name) ? read.parse(name, undefined, (path) => readPem(path, kind, keyPassphrase)) : undefined;
  const ca = file('KAFKA_TLS_CA_FILE', 'certificate');
  const cert = file('KAFKA_TLS_CERT_FILE', 'certificate');
  const key = file('KAFKA_TLS_KEY_FILE', 'key');
  if (read.isSet('KAFKA_TLS_CERT_FILE') !== read.isSet('KAFKA_TLS_KEY_FILE'))
    read.reject(
      read.isSet('KAFKA_TLS_CERT_FILE') ? 'KAFKA_TLS_KEY_FILE' : 'KAFKA_TLS_CERT_FILE',
      'is required with the other one (a client certificate needs its key)',
    );
  const servername = read.optionalString('KAFKA_TLS_SERVERNAME');
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(keyPassphrase ? { keyPassphrase } : {}),
    ...(servername ? { servername } : {}),
    rejectUnauthorized: read.bool('KAFKA_TLS_REJECT_UNAUTHORIZED', true),
  };
}

function readSasl(read: EnvReader): KafkaSaslSettings | null {
  if (!read.isSet('KAFKA_SASL_MECHANISM')) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_AWS_REGION'])
      if (read.isSet(name)) read.reject(name, 'is set but KAFKA_SASL_MECHANISM is not');
    return null;
  }
  const mechanism = read.parse('KAFKA_SASL_MECHANISM', undefined, (text): KafkaSaslMechanism => {
    const value = text.toLowerCase();
    if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(value))
      throw new Error(`must be one of ${KAFKA_SASL_MECHANISMS.join(', ')} (got '${text}')`);
    return value as KafkaSaslMechanism;
  });
  if (!mechanism) return null;
  if (mechanism === 'aws-msk-iam') {
    const region = read.optionalString('AWS_REGION');
    return {
      mechanism,
      region: region ? read.string('KAFKA_SASL_AWS_REGION', region) : read.string('KAFKA_SASL_AWS_REGION'),
    };
  }
  // EnvReader's messages name a variable, never its value, so a wrong password is not echoed at start.
  return {
    mechanism,
    username: read.string('KAFKA_SASL_USERNAME'),
    password: read.string('KAFKA_SASL_PASSWORD'),
  };
}

/** Reads KAFKA_BROKERS, KAFKA_TLS* and KAFKA_SASL*; problems are collected in `read` (ConfigError at `done()`). */
export function readKafkaConnection(read: EnvReader): KafkaConnectionSettings {
  return { brokers: read.list('KAFKA_BROKERS'), tls: readTls(read), sasl: readSasl(read) };
}

/** One line for a start-up log: what is used, never a secret or a key. */
export function describeKafkaConnection(settings: KafkaConnectionSettings): string {
  const tls = settings.tls
    ? `TLS${settings.tls.ca ? ' (own CA)' : ''}${settings.tls.cert ? ' with a client certificate' : ''}` +
      `${settings.tls.rejectUnauthorized ? '' : ' WITHOUT certificate verification'}`
    : 'plaintext';
  const sasl = settings.sasl
    ? `SASL ${settings.sasl.mechanism}${'username' in settings.sasl ? ` as ${settings.sasl.username}` : ''}`
    : 'no SASL';
  return `${settings.brokers.join(',')} over ${tls}, ${sasl}`;
}
