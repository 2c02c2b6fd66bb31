// @ts-check
// Where the project keeps what it downloads and runs locally (all git-ignored under .cache/).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.LEADHOOKS_CACHE_DIR ?? path.join(repoRoot, '.cache');
export const infraDir = path.join(cacheDir, 'infra');
export const logsDir = path.join(infraDir, 'logs');
export const kafkaLibsDir = path.join(cacheDir, 'kafka-3.9.1', 'libs');
export const kafkaPom = path.join(repoRoot, 'tools', 'infra', 'kafka', 'pom.xml');
export const kafkaLog4j = path.join(repoRoot, 'tools', 'infra', 'kafka', 'log4j.properties');
