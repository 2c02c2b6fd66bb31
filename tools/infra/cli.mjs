#!/usr/bin/env node
// @ts-check
// npm run infra:up | infra:down | infra:status
import { ensureInfra, infraStatus, stopInfra } from './infra.mjs';

const command = process.argv[2];
try {
  switch (command) {
    case 'up': {
      const infra = await ensureInfra({ purpose: 'stack' });
      console.error(`[infra] ready (${infra.provider})`);
      console.log(`DATABASE_URL=${infra.databaseUrl}`);
      console.log(`KAFKA_BROKERS=${infra.kafkaBrokers}`);
      break;
    }
    case 'down':
      await stopInfra();
      break;
    case 'status':
      console.log(JSON.stringify(await infraStatus(), null, 2));
      break;
    default:
      console.error('usage: node tools/infra/cli.mjs up|down|status');
      process.exit(2);
  }
} catch (error) {
  console.error(`[infra] ${error instanceof Error ? error.message : String(error)}`);
  console.error(
    '[infra] nothing could be started: set DATABASE_URL and KAFKA_BROKERS, run a Docker engine, or install a JDK 17+ and Maven.',
  );
  process.exit(1);
}
