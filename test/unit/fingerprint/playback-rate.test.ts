import { describe, expect, it } from "vitest";
import { atRate, bestRate, MIN_RATE_SEARCH_SAMPLES, onQueryClock, retimings } from "../../../src/fingerprint/playback-rate.js";
import type { Hash64 } from "../../../src/fingerprint/frame-hash.js";
import type { Signature } from "../../../src/fingerprint/signature.js";
import { verifyOffset } from "../../../src/fingerprint/verify.js";
import type { Verdict } from "../../../src/fingerprint/verdict.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";
import { reencoded, syntheticSignature } from "../../../scripts/bench/synthetic.js";

const rng = mulberry32(11);
/** The source re-timed: the copy shows the source's moment t at t / rate. */
const retimed = (source: Signature, rate: number): Signature =>
  Array.from({ length: Math.floor(source.length / rate) }, (_, i) => source[Math.min(source.length - 1, Math.round(i * rate))]);

describe("playback rates (copies sped up or slowed down)", () => {
  it("puts a query on the stored video's clock: sample j is the query's picture at j / rate", () => {
    const query: Signature = [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ];
    expect(atRate(query, 1)).toBe(query);
    expect(atRate(query, 1.5)).toEqual([
      [1, 1],
      [2, 2],
      [2, 2],
      [3, 3],
      [4, 4],
      [4, 4],
    ]);
    expect(atRate(query, 0.5)).toEqual([
      [1, 1],
      [3, 3],
    ]);
  });

  it("finds the rate of a re-timed copy from its alignment at rate 1, and keeps 1 for a copy at the same speed", () => {
    const source = syntheticSignature(rng, 90);
    for (const rate of [0.8, 1.1, 1.25, 1.5]) {
      const copy = reencoded(rng, retimed(source, rate));
      // The rate-1 alignment the matcher starts from: the best of the offsets near the true one.
      const found = verifyOffset(copy, source, 0)!;
      const timed = bestRate(retimings(copy), source, found);
      expect(timed.rate).toBe(rate);
      // On the source's clock the copy agrees over most of its length.
      expect(timed.alignment.matchedSamples / timed.rate).toBeGreaterThan(0.6 * copy.length);
    }
    const same = reencoded(rng, source);
    expect(bestRate(retimings(same), source, verifyOffset(same, source, 0)!).rate).toBe(1);
  });

  it("searches the rates of a 1.5× copy of footage that changes at every sample: it agrees at rate 1 for just that long", () => {
    const picture = (): Hash64 => [Math.floor(rng() * 2 ** 32) >>> 0, Math.floor(rng() * 2 ** 32) >>> 0];
    const source: Signature = Array.from({ length: 360 }, picture);
    const copy = reencoded(rng, retimed(source, 1.5));
    // Whatever offset the voting gives, the rate-1 alignment is as short as drift allows.
    const agreeing = [0, 20, 45, 80].map((offset) => verifyOffset(copy, source, offset)?.matchedSamples ?? 0);
    expect(Math.min(...agreeing)).toBeGreaterThanOrEqual(MIN_RATE_SEARCH_SAMPLES);
    const timed = bestRate(retimings(copy), source, verifyOffset(copy, source, 45)!);
    expect(timed.rate).toBe(1.5);
    expect(timed.alignment.matchedSamples / timed.rate).toBeGreaterThan(0.6 * copy.length);
  });

  it("resamples a query once per rate, however many stored videos it is verified against", () => {
    const query = retimings(syntheticSignature(rng, 30));
    expect(query.at(1.25)).toBe(query.at(1.25));
    expect(query.at(1.25)).toEqual(atRate(query.signature, 1.25));
    expect(query.at(1)).toBe(query.signature);
  });

  it("reports the query's segment on its own clock, and the offset at the segment's start", () => {
    const verdict: Verdict = { kind: "partial", score: 0.5, offsetSec: 7.5, querySegment: [10, 50], refSegment: [17.5, 57.5] };
    expect(onQueryClock(verdict, 1.25)).toEqual({ ...verdict, querySegment: [8, 40], offsetSec: 9.5 });
    expect(onQueryClock(verdict, 1)).toBe(verdict);
  });
});
