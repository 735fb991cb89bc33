import { describe, expect, it } from "vitest";
import { countAlignedCuts, frameTolerance, matchCutTimelines } from "../../../src/fingerprint/cut-match.js";

const original = [4, 9, 13, 16.2, 21.04, 27.5];

describe("cut timeline matching (aligned)", () => {
  it("matches a re-encode whose cuts moved by up to a frame", () => {
    const jittered = original.map((t, i) => t + (i % 2 ? 0.04 : -0.04));
    expect(matchCutTimelines(original, jittered, { toleranceSec: 0.04, minMatchedCuts: 3, minScore: 0.6 })).toEqual({ matchedCuts: 6, score: 1 });
  });

  it("tolerates a missed and an extra cut", () => {
    const edited = [4, 9, 11.1, 16.2, 21.04, 27.5].filter((t) => t !== 13);
    expect(matchCutTimelines(original, edited, { toleranceSec: 0.05, minMatchedCuts: 3, minScore: 0.6 })?.matchedCuts).toBe(5);
  });

  it("rejects an unrelated timeline even with two coincidental cuts", () => {
    expect(matchCutTimelines(original, [2, 9, 11, 16.2, 19, 25], { toleranceSec: 0.05, minMatchedCuts: 3, minScore: 0.6 })).toBeUndefined();
  });

  it("rejects timelines too short to be evidence", () => {
    expect(matchCutTimelines([4, 9], [4, 9], { toleranceSec: 0.05, minMatchedCuts: 3, minScore: 0.6 })).toBeUndefined();
    expect(matchCutTimelines([], [], { toleranceSec: 0.05, minMatchedCuts: 3, minScore: 0.6 })).toBeUndefined();
  });

  it("pairs cuts one to one", () => {
    expect(countAlignedCuts([1, 1.02, 1.04], [1.01], 0.05)).toBe(1);
  });

  it("uses one frame at the lower frame rate as tolerance, never under 50 ms", () => {
    expect(frameTolerance(12, 25)).toBeCloseTo(1 / 12, 5);
    expect(frameTolerance(60, 50)).toBe(0.05);
    expect(frameTolerance(24, 30)).toBe(0.05);
    expect(frameTolerance(10, 30)).toBeCloseTo(0.1, 5);
  });
});
