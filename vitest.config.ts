import { defineConfig } from 'vitest/config';

// .ci/run asks for a JSON report (CANALE_TEST_REPORT) to print its one-line summary.
const report = process.env.CANALE_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // a PostgreSQL server for the run (CANALE_TEST_DATABASE_URL, or a throwaway cluster) with canale's schema
    globalSetup: ['test/support/postgres-setup.ts'],
    // end-to-end tests spawn the built binary; a loaded 2-core CI machine needs room
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // two files at a time even on 2 cores (vitest's default is cores − 1 = one): the end-to-end tests mostly wait on
    // the child processes, sandboxes and timers they start, so a second file overlaps those waits
    maxWorkers: 2,
    reporters: report === undefined ? ['default'] : ['default', ['json', { outputFile: report }]],
  },
});
