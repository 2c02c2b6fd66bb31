import { ConfigError } from '@leadhooks/config';
import { startLeadsApi } from './bootstrap.js';
import { loadLeadsApiConfig } from './config/leads-api.config.js';

try {
  await startLeadsApi(loadLeadsApiConfig());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
