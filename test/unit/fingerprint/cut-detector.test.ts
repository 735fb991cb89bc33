import { describe, expect, it } from "vitest";
import { CutDetector, detectCuts } from "../../../src/fingerprint/cut-detector.js";

const options = { threshold: 0.3, minGapSec: 0.5 };

/** Frames at 25 fps with the given scores at the given frame numbers, 0.01 elsewhere. */
function frames(count: number, peaks: Record<number, number>) {
  return Array.from({ length: count }, (_, i) => ({ ptsTime: i / 25, score: peaks[i] ?? 0.01 }));
}

describe("CutDetector", () => {
  it("finds isolated peaks above the threshold", () => {
    expect(detectCuts(frames(300, { 100: 0.8, 200: 0.45 }), options)).toEqual([
      { timeSec: 4, score: 0.8 },
      { timeSec: 8, score: 0.45 },
    ]);
  });

  it("keeps only the strongest frame of a burst (non-maximum suppression)", () => {
    expect(detectCuts(frames(100, { 50: 0.4, 51: 0.9, 52: 0.5, 55: 0.35 }), options)).toEqual([{ timeSec: 2.04, score: 0.9 }]);
  });

  it("ignores weak changes and the very first frame", () => {
    expect(detectCuts(frames(100, { 0: 1, 30: 0.29 }), options)).toEqual([]);
  });

  it("emits a cut as soon as no later frame can replace it (incremental)", () => {
    const detector = new CutDetector(options);
    const emitted: number[] = [];
    frames(100, { 25: 0.9 }).forEach((frame, i) => {
      if (detector.push(frame)) emitted.push(i);
    });
    // 0.5 s (12.5 frames) after the cut at frame 25, i.e. at frame 38
    expect(emitted).toEqual([38]);
  });
});
