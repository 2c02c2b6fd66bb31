const { integrationGlobalSetup, ...preset } = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: require('./package.json').name,
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  globalSetup: integrationGlobalSetup,
  testTimeout: 120_000,
  // Suites spawn app processes and Kafka clients; a straggling socket must not hold CI.
  forceExit: true,
};
