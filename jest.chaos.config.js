// The reliability suite (npm run test:chaos): killed and restarted workers, a restarted Redis, fault storms,
// hostile input. Slower than `npm test`; .ci/run runs both.
const base = require('./jest.config.js');
const integration = base.projects.find((p) => p.displayName === 'integration');
module.exports = {
  testTimeout: 240000,
  projects: [{ ...integration, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos.spec.ts'] }],
};
