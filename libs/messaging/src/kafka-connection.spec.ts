import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, EnvReader } from '@leadhooks/config';
import { saslOptions } from './kafka-client.js';
import {
  describeKafkaConnection,
  type KafkaConnectionSettings,
  readKafkaConnection,
} from './kafka-connection.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-connection-'));
const certFile = path.join(dir, 'client.crt');
const keyFile = path.join(dir, 'client.key');
const encryptedKeyFile = path.join(dir, 'client-encrypted.key');
const PASSWORD = 'sasl-password-never-shown-0123';

beforeAll(() => {
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=leadhooks-test',
    '-days',
    '1',
  ]);
  execFileSync('openssl', [
    'pkcs8',
    '-topk8',
    '-in',
    keyFile,
    '-out',
    encryptedKeyFile,
    '-passout',
    'pass:key-passphrase',
  ]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function read(env: Record<string, string>): KafkaConnectionSettings {
  const reader = new EnvReader({ KAFKA_BROKERS: 'b1:9093,b2:9093', ...env });
  const settings = readKafkaConnection(reader);
  reader.done();
  return settings;
}

function problems(env: Record<string, string>): string {
  try {
    read(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(readKafkaConnection.name, () => {
  it('is plaintext without SASL when only KAFKA_BROKERS is set', () => {
    expect(read({})).toEqual({ brokers: ['b1:9093', 'b2:9093'], tls: null, sasl: null });
  });

  it('reads TLS with a CA, a client certificate and its key, verifying the brokers by default', () => {
    const settings = read({
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: certFile,
      KAFKA_TLS_CERT_FILE: certFile,
      KAFKA_TLS_KEY_FILE: keyFile,
      KAFKA_TLS_SERVERNAME: 'kafka.example.com',
    });
    expect(settings.tls).toEqual({
      ca: fs.readFileSync(certFile, 'utf8'),
      cert: fs.readFileSync(certFile, 'utf8'),
      key: fs.readFileSync(keyFile, 'utf8'),
      servername: 'kafka.example.com',
      rejectUnauthorized: true,
    });
  });

  it('turns certificate verification off only when said explicitly, and says so in the start-up line', () => {
    expect(read({ KAFKA_TLS: 'true' }).tls).toEqual({ rejectUnauthorized: true });
    const settings = read({ KAFKA_TLS: 'true', KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' });
    expect(settings.tls?.rejectUnauthorized).toBe(false);
    expect(describeKafkaConnection(settings)).toContain('WITHOUT certificate verification');
  });

  it('reads an encrypted key with its passphrase and names the setting when the passphrase is wrong', () => {
    const env = { KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: certFile, KAFKA_TLS_KEY_FILE: encryptedKeyFile };
    expect(read({ ...env, KAFKA_TLS_KEY_PASSPHRASE: 'key-passphrase' }).tls?.keyPassphrase).toBe(
      'key-passphrase',
    );
    const message = problems({ ...env, KAFKA_TLS_KEY_PASSPHRASE: 'wrong-passphrase' });
    expect(message).toContain('KAFKA_TLS_KEY_FILE is invalid');
    expect(message).not.toContain('wrong-passphrase');
  });

  it('fails naming each bad TLS setting: a missing file, a file that is no certificate, a certificate without its key', () => {
    const message = problems({
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: path.join(dir, 'missing.pem'),
      KAFKA_TLS_CERT_FILE: keyFile,
    });
    expect(message).toContain(
      `KAFKA_TLS_CA_FILE is invalid: cannot read ${path.join(dir, 'missing.pem')} (ENOENT)`,
    );
    expect(message).toContain(`KAFKA_TLS_CERT_FILE is invalid: ${keyFile} holds no PEM certificate`);
    expect(message).toContain('KAFKA_TLS_KEY_FILE is required with the other one');
    // The key's content is never part of a message.
    expect(message).not.toContain('PRIVATE KEY');
  });

  it('refuses TLS details while TLS is off, rather than connecting in plaintext', () => {
    expect(problems({ KAFKA_TLS_CA_FILE: certFile })).toContain(
      'KAFKA_TLS_CA_FILE is set but KAFKA_TLS is not true',
    );
    expect(problems({ KAFKA_TLS: 'sometimes' })).toContain('KAFKA_TLS must be true or false');
  });

  it.each(['PLAIN', 'scram-sha-256', 'SCRAM-SHA-512'])(
    'reads SASL %s with a username and password',
    (name) => {
      const settings = read({
        KAFKA_SASL_MECHANISM: name,
        KAFKA_SASL_USERNAME: 'leadhooks',
        KAFKA_SASL_PASSWORD: PASSWORD,
      });
      expect(settings.sasl).toEqual({
        mechanism: name.toLowerCase(),
        username: 'leadhooks',
        password: PASSWORD,
      });
      expect(saslOptions(settings.sasl!)).toEqual({
        mechanism: name.toLowerCase(),
        username: 'leadhooks',
        password: PASSWORD,
      });
      expect(describeKafkaConnection(settings)).toBe(
        `b1:9093,b2:9093 over plaintext, SASL ${name.toLowerCase()} as leadhooks`,
      );
    },
  );

  it('fails naming the SASL setting that is wrong or missing, never echoing the password', () => {
    const message = problems({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(message).toContain(
      "KAFKA_SASL_MECHANISM is invalid: must be one of plain, scram-sha-256, scram-sha-512, aws-msk-iam (got 'gssapi')",
    );
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'leadhooks' })).toContain(
      'KAFKA_SASL_PASSWORD is required',
    );
    expect(problems({ KAFKA_SASL_USERNAME: 'leadhooks', KAFKA_SASL_PASSWORD: PASSWORD })).toContain(
      'KAFKA_SASL_USERNAME is set but KAFKA_SASL_MECHANISM is not',
    );
    const envs: Array<Record<string, string>> = [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: PASSWORD },
      { KAFKA_SASL_PASSWORD: PASSWORD },
    ];
    for (const env of envs) expect(problems(env)).not.toContain(PASSWORD);
  });

  it('reads MSK IAM with its region (KAFKA_SASL_AWS_REGION, else AWS_REGION) and signs through OAUTHBEARER', () => {
    expect(read({ KAFKA_SASL_MECHANISM: 'aws-msk-iam', AWS_REGION: 'eu-west-1' }).sasl).toEqual({
      mechanism: 'aws-msk-iam',
      region: 'eu-west-1',
    });
    const settings = read({ KAFKA_SASL_MECHANISM: 'aws-msk-iam', KAFKA_SASL_AWS_REGION: 'us-east-2' });
    expect(settings.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'us-east-2' });
    expect(saslOptions(settings.sasl!)).toMatchObject({ mechanism: 'oauthbearer' });
    expect(problems({ KAFKA_SASL_MECHANISM: 'aws-msk-iam' })).toContain('KAFKA_SASL_AWS_REGION is required');
  });

  it("makes MSK IAM tokens with AWS's signer from the SDK's default credentials (signed locally)", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    try {
      const sasl = saslOptions({ mechanism: 'aws-msk-iam', region: 'eu-west-1' });
      if (sasl.mechanism !== 'oauthbearer') throw new Error('expected OAUTHBEARER');
      const { value } = await sasl.oauthBearerProvider();
      const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
      expect(url.hostname).toBe('kafka.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
      expect(url.searchParams.get('X-Amz-Credential')).toContain('AKIAIOSFODNN7EXAMPLE');
    } finally {
      process.env = saved;
    }
  });
});
