import { ConfigError } from '@leadhooks/config';
import { startDispatcher } from './bootstrap.js';
import { loadDispatcherConfig } from './config/dispatcher.config.js';

try {
  await startDispatcher(loadDispatcherConfig());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
