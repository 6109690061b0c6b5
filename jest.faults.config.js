// `npm run test:faults`: stops and restarts the machine's shared PostgreSQL and Redis, so it
// runs on its own and is not part of `npm test`.
const base = require('./jest.config.js').projects[1];
module.exports = { ...base, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.spec.ts'] };
