import { describe, expect, it } from "vitest";
import { CANDIDATES_PER_STRETCH, chooseCandidates, type OffsetCandidate } from "../../../src/fingerprint/voting.js";

/** A candidate resting on query samples [from, to], ranked by the order it is listed in. */
const candidate = (videoNum: number, from: number, to: number): OffsetCandidate => ({
  videoNum,
  offsetSamples: 0,
  votes: to - from + 1,
  score: 100 - videoNum,
  queryFirst: from,
  queryLast: to,
});

describe("chooseCandidates", () => {
  it("keeps rank order when every candidate rests on the same stretch of the query", () => {
    const ranked = Array.from({ length: 30 }, (_, i) => candidate(i, 0, 60));
    expect(chooseCandidates(ranked, 20)).toEqual(ranked.slice(0, 20));
  });

  it("gives every stretch of a compilation its turn before a crowded stretch fills the rest", () => {
    // 15 stored copies of the first source rank above the 10 of the second and the 10 of the third.
    const first = Array.from({ length: 15 }, (_, i) => candidate(i, 0, 60));
    const second = Array.from({ length: 10 }, (_, i) => candidate(20 + i, 62, 120));
    const third = Array.from({ length: 10 }, (_, i) => candidate(40 + i, 122, 180));
    const chosen = chooseCandidates([...first, ...second, ...third], 20).map((c) => c.videoNum);
    const per = CANDIDATES_PER_STRETCH;
    expect(chosen.slice(0, 3 * per)).toEqual([
      ...first.slice(0, per).map((c) => c.videoNum),
      ...second.slice(0, per).map((c) => c.videoNum),
      ...third.slice(0, per).map((c) => c.videoNum),
    ]);
    // The places left go to the waiting candidates, in rank order.
    expect(chosen.slice(3 * per)).toEqual(first.slice(per, per + 20 - 3 * per).map((c) => c.videoNum));
  });

  it("counts a candidate as on a stretch when at least half of its own stretch lies there", () => {
    const wide = Array.from({ length: CANDIDATES_PER_STRETCH }, (_, i) => candidate(i, 0, 100));
    const inside = candidate(10, 40, 60);
    const halfOut = candidate(11, 90, 110);
    const mostlyOut = candidate(12, 95, 115);
    expect(chooseCandidates([...wide, inside, halfOut, mostlyOut], 6).map((c) => c.videoNum)).toEqual([0, 1, 2, 3, 4, 12]);
  });

  it("returns fewer than the maximum only when fewer were voted", () => {
    expect(chooseCandidates([candidate(1, 0, 10)], 20)).toHaveLength(1);
    expect(chooseCandidates([], 20)).toEqual([]);
  });
});
