import { defineConfig } from 'vitest/config'

// Three projects: unit tests live next to the code (src/**/test), integration
// tests start real daemons, e2e tests drive the built UI in Debian's Chromium.
// Integration and e2e run one file at a time, and the three projects run one
// after another (groupOrder): they start processes and bind ports, and this
// machine kind has 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['src/**/test/**/*.test.ts', 'src/**/test/**/*.test.tsx', 'scripts/test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000
        }
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false
        }
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false
        }
      }
    ]
  }
})
