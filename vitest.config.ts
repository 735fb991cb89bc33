import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        // Pure logic and use cases with in-memory fakes: parallel, fast, no stack.
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 10_000 },
      },
      {
        // The real stack (moto, PostgreSQL, ffmpeg): one file at a time, so the two cores
        // shared with ffmpeg keep timings honest and logs readable.
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/security/**/*.test.ts"],
          setupFiles: ["test/helpers/failure-logs.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
