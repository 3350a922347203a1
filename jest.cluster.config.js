// The replicated-Redis suite (npm run test:cluster): a local Redis Cluster and a Sentinel set-up, started by the
// tests from Debian's redis-server; .ci/run runs it after the chaos suite.
const base = require('./jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');
module.exports = {
  testTimeout: 300000,
  projects: [{ ...integration, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.cluster.spec.ts'] }],
};
