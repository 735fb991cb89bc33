import { describe, expect, it } from "vitest";
import { hammingDistance, type Hash64 } from "../../../src/fingerprint/frame-hash.js";
import { oneBitNeighbours, queryEntries, SAMPLE_RATE, steadyPictures, type Signature } from "../../../src/fingerprint/signature.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";

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

  it("votes each bit as a plain count would: set where more than half the same pictures have it, the centre's on a tie", () => {
    /** The rule bit by bit, written plainly. */
    const plainMajority = (words: number[], centre: number) => {
      let out = 0;
      for (let bit = 0; bit < 32; bit += 1) {
        const ones = words.filter((w) => (w >>> bit) & 1).length;
        if (2 * ones > words.length || (2 * ones === words.length && (centre >>> bit) & 1)) out |= 1 << bit;
      }
      return out >>> 0;
    };
    const base: Hash64 = [rand32(), rand32()];
    // Runs of the same picture with a few random bits flipped, and an odd sample without a picture.
    const signature: Signature = Array.from({ length: 400 }, (_, i) =>
      i % 37 === 0 ? undefined : ([base[0] ^ (rand32() & rand32() & rand32()), base[1] ^ (rand32() & rand32() & rand32())] as Hash64),
    );
    const steady = steadyPictures(signature);
    signature.forEach((picture, sample) => {
      if (!picture) return expect(steady[sample]).toBeUndefined();
      const same = signature
        .slice(Math.max(0, sample - SAMPLE_RATE / 2), sample + SAMPLE_RATE / 2 + 1)
        .filter((h): h is Hash64 => h !== undefined && hammingDistance(h, picture) <= 12);
      const expected: Hash64 =
        same.length < 3
          ? picture
          : [
              plainMajority(
                same.map((h) => h[0]),
                picture[0],
              ),
              plainMajority(
                same.map((h) => h[1]),
                picture[1],
              ),
            ];
      expect(steady[sample]).toEqual(expected);
    });
  });
});
