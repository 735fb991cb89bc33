import { describe, expect, it } from "vitest";
import { hammingDistance, type Hash64 } from "../../../src/fingerprint/frame-hash.js";
import { oneBitNeighbours, queryEntries, SAMPLE_RATE, steadyPictures, type Signature } from "../../../src/fingerprint/signature.js";
import { mulberry32 } from "../../../scripts/bench/corpus.js";

const rng = mulberry32(5);
const rand32 = () => Math.floor(rng() * 2 ** 32) >>> 0;
const still = (picture: Hash64, sec: number): Hash64[] => Array.from({ length: sec * SAMPLE_RATE }, () => picture);
/** Frame-by-frame noise: one random bit of each half flipped in every sample, as the match benchmark's re-encode does. */
const noisy = (signature: Signature): Signature =>
  signature.map((h) => h && [(h[0] ^ (1 << Math.floor(rng() * 32))) >>> 0, (h[1] ^ (1 << Math.floor(rng() * 32))) >>> 0]);

describe("steady pictures (a query's frame-by-frame noise voted away)", () => {
  const shotA: Hash64 = [rand32(), rand32()];
  const shotB: Hash64 = [rand32(), rand32()];
  const source = [...still(shotA, 6), ...still(shotB, 6)];

  it("gives back a still shot's picture from its noisy frames, on both sides of a cut", () => {
    const steady = steadyPictures(noisy(source));
    const exact = steady.filter((h, i) => h && hammingDistance(h, source[i]!) === 0).length;
    // Two noisy frames in a row can outvote the third on one bit; nearly every sample is exact.
    expect(exact).toBeGreaterThan(0.9 * source.length);
    expect(steady.every((h, i) => h && hammingDistance(h, source[i]!) <= 2)).toBe(true);
  });

  it("looks up a noisy still shot with few more keys than the clean one, and they meet its source's", () => {
    const copy = noisy(source);
    // Without the vote, flips made keys of their own: 24 here, against 4 with it.
    const keys = (signature: Signature) => new Set(queryEntries(signature).map((e) => e.key)).size;
    expect(keys(copy)).toBeLessThanOrEqual(2 * keys(source));
    const sourceKeys = new Set(queryEntries(source).map((e) => e.key));
    const met = queryEntries(copy).filter((e) => oneBitNeighbours(e.key).some((k) => sourceKeys.has(k)));
    expect(met.length).toBeGreaterThan(queryEntries(copy).length / 2);
  });

  it("leaves pictures alone that have fewer than three of their kind within half a second (motion, gaps)", () => {
    const motion: Signature = Array.from({ length: 12 }, () => [rand32(), rand32()] as Hash64);
    expect(steadyPictures(motion)).toEqual(motion);
    const sparse: Signature = [shotA, undefined, undefined, shotA, undefined, undefined, shotA];
    expect(steadyPictures(sparse)).toEqual(sparse);
  });
});
