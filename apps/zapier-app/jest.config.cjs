/** Pure tests of the app definition (schema, field words, signatures); its operations against the real stack run in e2e/. */
module.exports = {
  displayName: 'zapier-app',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.js'],
};
