import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../../src/queue/breaker.js";

function breakerAt(random = 0.5) {
  const clock = { now: 1_000_000 };
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    baseOpenMs: 1_000,
    maxOpenMs: 8_000,
    now: () => clock.now,
    random: () => random,
  });
  return { breaker, clock };
}

describe("CircuitBreaker", () => {
  it("stays closed below the threshold and resets on success", () => {
    const { breaker } = breakerAt();
    expect(breaker.recordFailure()).toBe(false);
    expect(breaker.recordFailure()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.recordFailure()).toBe(false);
    expect(breaker.state).toBe("closed");
    expect(breaker.delayMs()).toBe(0);
  });

  it("opens after N consecutive failures, then goes half-open when the open time has passed", () => {
    const { breaker, clock } = breakerAt(0.5);
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.recordFailure()).toBe(true);
    expect(breaker.state).toBe("open");
    // equal jitter: half the exponential time plus random × half → 500 + 0.5 × 500
    expect(breaker.delayMs()).toBe(750);
    clock.now += 749;
    expect(breaker.state).toBe("open");
    clock.now += 1;
    expect(breaker.state).toBe("half-open");
    expect(breaker.delayMs()).toBe(0);
    // The open time as chosen stays what the snapshot says, however much of it has passed (the log reports it).
    expect(breaker.snapshot()).toMatchObject({ openMs: 750, retryAt: 1_000_750 });
  });

  it("re-opens for twice as long when the half-open probe fails, up to the cap", () => {
    const { breaker, clock } = breakerAt(1 - Number.EPSILON);
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    const openTimes: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      openTimes.push(breaker.delayMs());
      clock.now += breaker.delayMs();
      expect(breaker.state).toBe("half-open");
      expect(breaker.recordFailure()).toBe(true); // one failed probe is enough to re-open
    }
    expect(openTimes.map(Math.round)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it("closes when the probe succeeds, and starts counting from scratch", () => {
    const { breaker, clock } = breakerAt();
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    clock.now += 10_000;
    breaker.recordSuccess();
    expect(breaker.snapshot()).toEqual({ state: "closed", consecutiveFailures: 0, openings: 0, retryAt: undefined, openMs: undefined });
    expect(breaker.recordFailure()).toBe(false);
  });

  it("spreads replicas' open times with jitter, within [half, full] of the exponential time", () => {
    const low = breakerAt(0);
    const high = breakerAt(0.999);
    for (let i = 0; i < 3; i += 1) {
      low.breaker.recordFailure();
      high.breaker.recordFailure();
    }
    expect(low.breaker.delayMs()).toBe(500);
    expect(high.breaker.delayMs()).toBeGreaterThan(990);
    expect(high.breaker.delayMs()).toBeLessThanOrEqual(1_000);
  });
});
