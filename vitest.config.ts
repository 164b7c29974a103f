import { defineConfig } from "vitest/config";

// Test kind by file name: *.test.ts is fast and hermetic, *.int.test.ts uses real processes,
// HTTP, SQLite and files.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/**/*.int.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "int",
          include: ["tests/**/*.int.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: "forks",
        },
      },
    ],
  },
});
