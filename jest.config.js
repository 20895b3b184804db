// Three projects: unit runs in process in milliseconds; integration starts real
// processes (Prosody, focus, bridge) on loopback with free ports; e2e adds headless Chromium.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  // Two workers even on a 2-core machine: integration files each start their own Prosody side by side.
  maxWorkers: 2,
  // npm test runs the browser tests in a second jest run, one file at a time (--maxWorkers=1: two files' pages
  // encoding 720p simulcast side by side starved each other on 2 cores, and the 720p tests then failed), so
  // Chromiums never share the 2 cores with the integration suite or with another browser file; this reporter lets .ci/run add both runs up.
  reporters: ['default', '<rootDir>/test/harness/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.js',
      globalTeardown: '<rootDir>/test/harness/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/harness/integration-timeout.ts'],
    },
    {
      // One file per threat (SECURITY.md): each performs its attack against real processes.
      ...common,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.js',
      globalTeardown: '<rootDir>/test/harness/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/harness/integration-timeout.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.js',
      globalTeardown: '<rootDir>/test/harness/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/harness/integration-timeout.ts'],
    },
  ],
};
