import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-driver suite runs in the vimc VM (npm run test:vimc).
    exclude: ['test/vimc/**', '**/node_modules/**'],
    // Contracts only get their codecs from the ts-patch transformer, which vitest does not run:
    // the suite builds once with tspc and tests the compiled output in dist/.
    globalSetup: ['test/global-setup.ts'],
    server: { deps: { external: [/\/dist\//] } },
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: 'test/tsconfig.json',
    },
    testTimeout: 30_000,
  },
});
