// Three tiers: unit tests sit beside the code; integration and e2e tests use the real
// PostgreSQL, Redis and a Mosquitto they start themselves (see test/support).
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  rootDir: '.',
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      testTimeout: 60000,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'], testTimeout: 180000 },
  ],
};
