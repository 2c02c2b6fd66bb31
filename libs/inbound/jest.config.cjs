const fs = require('node:fs');
const path = require('node:path');
const { integrationGlobalSetup, ...preset } = require('../../jest.preset.cjs');

const hasIntegrationTests = fs.existsSync(path.join(__dirname, 'test'));
module.exports = {
  ...preset,
  displayName: require('./package.json').name,
  rootDir: __dirname,
  roots: hasIntegrationTests ? ['<rootDir>/src', '<rootDir>/test'] : ['<rootDir>/src'],
  ...(hasIntegrationTests ? { globalSetup: integrationGlobalSetup } : {}),
};
