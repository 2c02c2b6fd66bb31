// Shared Jest settings (native ESM: NestJS 12 ships ES modules only). Each project's jest.config.cjs spreads this.
// Jest runs with --experimental-vm-modules (see the projects' `test` scripts).
const path = require('node:path');

const libs = [
  'config',
  'contracts',
  'db',
  'inbound',
  'mapping',
  'messaging',
  'observability',
  'outbox',
  'webhooks',
  'testing',
  'throttling',
];

/** Projects with integration tests add this: real Postgres + Kafka provisioned once per run. */
const integrationGlobalSetup = path.join(__dirname, 'tools', 'testing', 'global-setup.mjs');

module.exports = {
  integrationGlobalSetup,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    ...Object.fromEntries(
      libs.map((name) => [`^@leadhooks/${name}$`, path.join(__dirname, 'libs', name, 'src', 'index.ts')]),
    ),
    // Source imports carry the .js extension Node's ESM resolution needs; Jest maps them back to .ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFilesAfterEnv: [path.join(__dirname, 'tools', 'testing', 'preload-nest.mjs')],
  testTimeout: 60_000,
  // Integration tests share one Kafka broker and one Postgres server on a 2-core machine.
  maxWorkers: 1,
};
