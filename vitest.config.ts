import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // end-to-end tests spawn the built binary; a loaded 2-core CI machine needs room
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
