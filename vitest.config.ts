import { defineConfig } from 'vitest/config';

// .ci/run asks for a JSON report (CANALE_TEST_REPORT) to print its one-line summary.
const report = process.env.CANALE_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // end-to-end tests spawn the built binary; a loaded 2-core CI machine needs room
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: report === undefined ? ['default'] : ['default', ['json', { outputFile: report }]],
  },
});
