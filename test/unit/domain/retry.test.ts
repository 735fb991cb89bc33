import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../../src/domain/retry.js";

describe("retryDelayMs", () => {
  it("doubles from the base, half fixed and half random, up to the cap", () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1_000, 60_000, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 1_000, 60_000, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(30, 1_000, 60_000, () => 0.5)).toBe(45_000);
  });

  it("spreads senders that failed together (jitter) but never retries at once", () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => retryDelayMs(3, 1_000, 60_000, () => i / 50)));
    expect(delays.size).toBe(50);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
  });
});
