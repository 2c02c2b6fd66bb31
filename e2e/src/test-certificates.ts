import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  caFile: string;
  /** The broker's key and certificate chain in one PEM file (Kafka's `ssl.keystore.type=PEM`). */
  brokerKeystoreFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A key and a certificate signed by the test CA, valid for a day, for 127.0.0.1 and localhost. */
function issue(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/** A private CA, a broker certificate and a client certificate (mutual TLS), made with openssl in `dir`. */
export function makeTestCertificates(dir: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=leadhooks-test-ca',
    '-days',
    '1',
  ]);
  issue(dir, 'broker');
  issue(dir, 'client');
  const file = (name: string) => path.join(dir, name);
  fs.writeFileSync(
    file('broker.pem'),
    [fs.readFileSync(file('broker.key'), 'utf8'), fs.readFileSync(file('broker.crt'), 'utf8')].join(''),
  );
  return {
    caFile: file('ca.crt'),
    brokerKeystoreFile: file('broker.pem'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
  };
}
