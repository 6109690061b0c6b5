// Three tiers: unit tests sit beside the code; integration and e2e tests use the real
// PostgreSQL, Redis and a Mosquitto they start themselves (see test/support).
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  // Type checking is `npm run lint`'s job; tests only transpile.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testEnvironment: 'node',
  rootDir: '.',
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts', '<rootDir>/dashboard/**/*.spec.ts'],
      // Jest's 5 s default failed an XLSX round trip (0.5 s on a quiet machine) at load average 30.
      testTimeout: 20_000,
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-tests.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-tests.ts'],
    },
  ],
};
