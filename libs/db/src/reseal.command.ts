#!/usr/bin/env node
// `npm run reseal`: after rotating DATA_ENCRYPTION_KEY (the old key listed in DATA_ENCRYPTION_PREVIOUS_KEYS),
// re-seals every stored endpoint URL, custom headers and secret, and every inbound source secret, under the current
// key. Safe to run again; prints what it did.
import { EnvReader, exitUnlessCommandRuns } from '@leadhooks/config';
import { readEncryptionKeys, secretBoxFor } from './crypto/encryption-keys.js';
import { createDataSource } from './data-source.js';
import { EndpointRepository } from './repositories/endpoint.repository.js';
import { InboundSourceRepository } from './repositories/inbound-source.repository.js';

exitUnlessCommandRuns(`
Usage: npm run reseal   (in an image: node libs/db/dist/reseal.command.js)

After rotating DATA_ENCRYPTION_KEY (the old key listed in DATA_ENCRYPTION_PREVIOUS_KEYS), re-seals every stored
endpoint URL, custom headers and secret, and every inbound source secret, under the current key. Safe to run again.
Exit 1 when something could not be read with any key (each one is named).

Environment:
  DATABASE_URL                   postgres://user:password@host:5432/database (required)
  DATA_ENCRYPTION_KEY            the current key (required)
  DATA_ENCRYPTION_PREVIOUS_KEYS  the keys rotated away from, comma-separated
`);

async function main(): Promise<number> {
  const env = new EnvReader();
  const url = env.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const keys = readEncryptionKeys(env);
  env.done();
  const box = secretBoxFor(keys);
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'leadhooks-reseal' });
  await dataSource.initialize();
  try {
    const outcome = await new EndpointRepository(dataSource, box).reseal();
    console.log(
      `Current key ${box.currentKeyId}: re-sealed ${outcome.resealed} endpoint(s), ${outcome.current} already current, ${outcome.unreadable.length} unreadable.`,
    );
    for (const endpoint of outcome.unreadable) {
      console.log(
        `  unreadable: endpoint ${endpoint.name} (${endpoint.id}) of site ${endpoint.siteId}: ${endpoint.problem}; add its key to DATA_ENCRYPTION_PREVIOUS_KEYS, or set a new URL and rotate its secret`,
      );
    }
    const sources = await new InboundSourceRepository(dataSource, box).reseal();
    console.log(
      `Current key ${box.currentKeyId}: re-sealed ${sources.resealed} inbound source secret(s), ${sources.current} already current, ${sources.unreadable.length} unreadable.`,
    );
    for (const source of sources.unreadable) {
      console.log(
        `  unreadable: inbound source ${source.name} (${source.id}) of site ${source.siteId}: ${source.problem}; add its key to DATA_ENCRYPTION_PREVIOUS_KEYS, or set its secret again`,
      );
    }
    return outcome.unreadable.length || sources.unreadable.length ? 1 : 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
