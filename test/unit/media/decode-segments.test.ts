import { describe, expect, it } from "vitest";
import { MIN_SEGMENT_SEC, planSegments, SEGMENT_WARMUP_SEC } from "../../../src/media/decode-pass.js";

describe("planSegments", () => {
  it("decodes a short video in one piece", () => {
    expect(planSegments(2 * MIN_SEGMENT_SEC - 1, 2, 4)).toEqual([
      { seekSec: 0, lengthSec: undefined, keepFromSec: 0, firstSample: 0, warmupSamples: 0, sampleCount: undefined },
    ]);
    expect(planSegments(600, 1, 4)).toHaveLength(1);
  });

  it("splits on the sample grid; each later segment starts a warm-up early; the kept ranges tile the video", () => {
    const segments = planSegments(150.1, 3, 4);
    expect(segments).toHaveLength(3);
    let next = 0;
    for (const [k, segment] of segments.entries()) {
      expect(segment.firstSample).toBe(next);
      expect(segment.keepFromSec * 4).toBe(segment.firstSample);
      expect(segment.keepFromSec - segment.seekSec).toBe(k === 0 ? 0 : SEGMENT_WARMUP_SEC);
      expect(segment.warmupSamples).toBe((segment.keepFromSec - segment.seekSec) * 4);
      if (segment.sampleCount === undefined) {
        expect(k).toBe(2);
        expect(segment.lengthSec).toBeUndefined();
      } else {
        expect(segment.lengthSec).toBe(segment.sampleCount / 4 + (segment.keepFromSec - segment.seekSec));
        next = segment.firstSample + segment.sampleCount;
      }
    }
    expect(segments.map((s) => s.firstSample)).toEqual([0, 200, 400]);
  });

  it("never splits into pieces shorter than MIN_SEGMENT_SEC", () => {
    expect(planSegments(3 * MIN_SEGMENT_SEC, 8, 4)).toHaveLength(3);
  });
});
