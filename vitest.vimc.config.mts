import { defineConfig } from 'vitest/config';

// The suite that needs the real vimc driver: run inside the VM by `npm run test:vimc`, which
// builds on the host first (the VM has no compiler toolchain to spare and is slow).
export default defineConfig({
  test: {
    include: ['test/vimc/**/*.test.ts'],
    server: { deps: { external: [/\/dist\//] } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
