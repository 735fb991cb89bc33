import { describe, expect, it } from "vitest";
import { canTransition, decideClaim } from "../../../src/domain/job.js";

const now = new Date("2026-11-23T12:00:00Z");
const inSec = (s: number) => new Date(now.getTime() + s * 1000);
const sameVersion = { messageId: "m2", newVersion: false, superseded: false };
const newVersion = { messageId: "m2", newVersion: true, superseded: false };
const job = (status: "pending" | "analyzing" | "done" | "failed", leaseExpiresAt: Date | null = null) => ({
  status,
  leaseExpiresAt,
  messageId: "m1",
});

describe("job state machine", () => {
  it("allows only the documented edges", () => {
    expect(canTransition("pending", "analyzing")).toBe(true);
    expect(canTransition("analyzing", "done")).toBe(true);
    expect(canTransition("analyzing", "failed")).toBe(true);
    expect(canTransition("failed", "analyzing")).toBe(true);
    expect(canTransition("pending", "done")).toBe(false);
    expect(canTransition("done", "failed")).toBe(false);
    expect(canTransition("done", "pending")).toBe(false);
    expect(canTransition("failed", "done")).toBe(false);
  });

  it("claims a new or released job", () => {
    expect(decideClaim(undefined, now, sameVersion)).toEqual({ action: "claim" });
    expect(decideClaim(job("pending"), now, sameVersion)).toEqual({ action: "claim" });
  });

  it("acknowledges a redelivery of a finished version, and re-analyses a new version", () => {
    expect(decideClaim(job("done"), now, sameVersion)).toEqual({ action: "already-finished", status: "done" });
    expect(decideClaim(job("failed"), now, sameVersion)).toEqual({ action: "already-finished", status: "failed" });
    expect(decideClaim(job("done"), now, newVersion)).toEqual({ action: "claim" });
    expect(decideClaim(job("failed"), now, newVersion)).toEqual({ action: "claim" });
  });

  it("leaves a live lease alone: the same version is covered, a new version waits", () => {
    const held = job("analyzing", inSec(30));
    expect(decideClaim(held, now, sameVersion)).toEqual({ action: "held-elsewhere" });
    expect(decideClaim(held, now, newVersion)).toEqual({ action: "wait", retryAfterMs: 30_000 });
  });

  it("takes over a job whose lease has expired (its worker died)", () => {
    expect(decideClaim(job("analyzing", inSec(-1)), now, sameVersion)).toEqual({ action: "take-over" });
    expect(decideClaim(job("analyzing", now), now, sameVersion)).toEqual({ action: "take-over" });
    expect(decideClaim(job("analyzing", null), now, sameVersion)).toEqual({ action: "take-over" });
  });

  it("acknowledges an event older than one already handled for the key, whatever the job's state", () => {
    for (const status of ["pending", "analyzing", "done", "failed"] as const) {
      expect(decideClaim(job(status, inSec(30)), now, { ...newVersion, superseded: true })).toEqual({ action: "superseded" });
    }
  });

  it("takes over at once when the holder's own message comes back (the holder let it go)", () => {
    expect(decideClaim(job("analyzing", inSec(30)), now, { messageId: "m1", newVersion: false, superseded: false })).toEqual({
      action: "take-over",
    });
  });
});
