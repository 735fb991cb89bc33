import type { StoredMatch } from "../../src/domain/match.js";

/** A whole-copy match of `seconds` at offset 0, as the final search stores it. */
export const nearDuplicateOf = (otherVideoId: string, seconds: number): StoredMatch => ({
  otherVideoId,
  score: 0.9,
  kind: "near-duplicate",
  offsetSec: 0,
  segment: [0, seconds],
  otherSegment: [0, seconds],
  moreSegments: [],
  flipped: false,
  region: null,
  otherRegion: null,
  rate: 1,
  evidence: "picture",
});
