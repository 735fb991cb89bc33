import { describe, expect, it } from "vitest";
import type { Hash64 } from "../../../src/fingerprint/frame-hash.js";
import {
  decodeSignature,
  encodeSignature,
  indexEntries,
  oneBitNeighbours,
  pictureSeconds,
  queryEntries,
  SAMPLE_RATE,
  SHORT_VIDEO_SAMPLES,
  type Signature,
} from "../../../src/fingerprint/signature.js";
import { voteOffsets } from "../../../src/fingerprint/voting.js";
import { DEFAULT_VERIFY, sharedChanges, verifyOffset } from "../../../src/fingerprint/verify.js";
import { judgeAlignment } from "../../../src/fingerprint/verdict.js";
import { mulberry32 } from "../../../scripts/bench/random-scenes.js";

/**
 * Hand-made signatures: a "video" is a list of shots, each a random picture that drifts a
 * little from sample to sample, as real footage does.
 */
function footage(seed: number, shotsSec: number[]): (Hash64 | undefined)[] {
  const rng = mulberry32(seed);
  const rand32 = () => Math.floor(rng() * 2 ** 32) >>> 0;
  const out: (Hash64 | undefined)[] = [];
  for (const sec of shotsSec) {
    let hash: Hash64 = [rand32(), rand32()];
    for (let i = 0; i < sec * SAMPLE_RATE; i += 1) {
      if (i % 3 === 2) hash = [(hash[0] ^ (1 << Math.floor(rng() * 32))) >>> 0, hash[1]]; // slow drift
      out.push(hash);
    }
  }
  return out;
}

/** A re-encode: a few bits flipped in some samples. */
function jitter(signature: Signature, seed: number, bits = 3): (Hash64 | undefined)[] {
  const rng = mulberry32(seed);
  return signature.map((h) => {
    if (!h) return h;
    let [hi, lo] = h;
    for (let i = 0; i < bits; i += 1) {
      if (rng() < 0.5)
        hi = (hi ^ (1 << Math.floor(rng() * 16))) >>> 0; // low bits: the coarse key survives more often
      else lo = (lo ^ (1 << Math.floor(rng() * 32))) >>> 0;
    }
    return [hi, lo] as Hash64;
  });
}

/** The whole matcher without the database: index rows → voting → verification → verdict. */
function match(query: Signature, reference: Signature) {
  const keys = new Map<number, number[]>();
  for (const e of indexEntries(reference)) keys.set(e.key, [...(keys.get(e.key) ?? []), e.sample]);
  const hits = queryEntries(query).flatMap((q) =>
    oneBitNeighbours(q.key).flatMap((key) =>
      (keys.get(key) ?? []).map((refSample) => ({ videoNum: 1, refSample, querySample: q.sample, keyRows: 1 })),
    ),
  );
  const [candidate] = voteOffsets(hits, { binSamples: 2, minVotes: 3, stopAt: 50 });
  if (!candidate) return undefined;
  const alignment = verifyOffset(query, reference, candidate.offsetSamples);
  const [queryDurationSec, refDurationSec] = [query.length / SAMPLE_RATE, reference.length / SAMPLE_RATE];
  const queryPictureSec = pictureSeconds(query, queryDurationSec);
  const refPictureSec = pictureSeconds(reference, refDurationSec);
  return alignment && judgeAlignment(alignment, { queryDurationSec, refDurationSec, queryPictureSec, refPictureSec });
}

const original = footage(1, [4, 6, 3, 8, 5, 7, 4, 9, 6, 5]); // 57 s

describe("signature matching", () => {
  it("round-trips a signature through its stored bytes, gaps included", () => {
    const withGap = [...original.slice(0, 5), undefined, ...original.slice(5, 9)];
    expect(decodeSignature(encodeSignature(withGap))).toEqual(withGap);
  });

  it("finds a re-encoded copy as a near-duplicate at offset 0", () => {
    expect(match(jitter(original, 2), original)).toMatchObject({ kind: "near-duplicate", offsetSec: 0 });
  });

  it("finds a short copy whose pair keys are all one bit off its source's (a heavy re-encode)", () => {
    const source = footage(7, [4, 4, 4]);
    // Coarse bit (1,0) flipped in every other second: each pair key has exactly one picture changed.
    const copy = source.map((h, i) => (h && Math.floor(i / SAMPLE_RATE) % 2 === 0 ? ([(h[0] ^ (1 << 30)) >>> 0, h[1]] as Hash64) : h));
    const sourceKeys = new Set(indexEntries(source).map((e) => e.key));
    expect(indexEntries(copy).filter((e) => sourceKeys.has(e.key))).toEqual([]);
    expect(match(copy, source)).toMatchObject({ kind: "near-duplicate", offsetSec: 0 });
  });

  it("finds a copy trimmed at the head, with the offset of the trim", () => {
    const trimmed = original.slice(7 * SAMPLE_RATE + 1); // 7.25 s cut off
    const verdict = match(jitter(trimmed, 3), original);
    expect(verdict).toMatchObject({ kind: "near-duplicate", offsetSec: 7.25 });
    expect(verdict!.refSegment[0]).toBeCloseTo(7.25, 1);
  });

  it("finds a 22-second fragment embedded in other material as partial, with both segments", () => {
    const fragment = original.slice(20 * SAMPLE_RATE, 42 * SAMPLE_RATE);
    const query = [...footage(7, [5, 4]), ...jitter(fragment, 4), ...footage(8, [6, 3])]; // 9 s + 22 s + 9 s
    const verdict = match(query, original);
    expect(verdict?.kind).toBe("partial");
    expect(verdict!.querySegment[0]).toBeCloseTo(9, 0);
    expect(verdict!.querySegment[1]).toBeCloseTo(31, 0);
    expect(verdict!.refSegment[0]).toBeCloseTo(20, 0);
  });

  it("ignores black samples (no hash) inside a copy: a black intro does not break the match", () => {
    const blackIntro = [...Array.from({ length: 3 * SAMPLE_RATE }, () => undefined), ...original];
    expect(match(blackIntro, original)).toMatchObject({ kind: "near-duplicate", offsetSec: -3 });
  });

  it("keeps one segment across a stretch without pictures followed by a few disagreeing samples", () => {
    // 12 s of footage, 5 s of black, 3 samples that disagree (a fade), then 12 s more of the same footage.
    const unrelated = footage(31, [1]).slice(0, 3);
    const query = [...original.slice(0, 48), ...Array.from({ length: 20 }, () => undefined), ...unrelated, ...original.slice(71, 119)];
    const reference = [...original.slice(0, 48), ...Array.from({ length: 20 }, () => undefined), ...original.slice(68, 119)];
    const alignment = verifyOffset(query, reference, 0);
    expect(alignment).toMatchObject({ queryStart: 0, queryEnd: 119, matchedSamples: 96 });
  });

  it("aligns a whole copy to its end when its last scenes carry no picture in either video (the segment, kind and score agree)", () => {
    // 21.5 s that hash, then 8.5 s that no hash sees in either video (a fine texture, a gradient of one luma).
    const source = [...original.slice(0, 86), ...Array.from({ length: 34 }, () => undefined)];
    const verdict = match(jitter(source, 6), source);
    expect(verdict).toMatchObject({ kind: "near-duplicate", querySegment: [0, 30], refSegment: [0, 30] });
    expect(verdict!.score).toBeGreaterThan(0.95);
  });

  it("does not stretch a segment over seconds that have a picture on one side only", () => {
    // The copy blacks out the last 30 % of the original: those seconds are not shared footage.
    const blackedOut = [...original.slice(0, 160), ...Array.from({ length: original.length - 160 }, () => undefined)];
    const verdict = match(jitter(blackedOut, 7), original);
    expect(verdict).toMatchObject({ kind: "partial", querySegment: [0, 40], refSegment: [0, 40] });
    expect(verdict!.score).toBeGreaterThan(0.95); // the copy's every picture is the original's
  });

  it("reports 10 s or more of shared footage as partial reuse, and less as nothing", () => {
    const shared = (sec: number) => [...footage(41, [6, 6]), ...jitter(original.slice(0, sec * SAMPLE_RATE), 5), ...footage(42, [7, 5])];
    expect(match(shared(11), original)?.kind).toBe("partial");
    expect(match(shared(8), original)).toBeUndefined();
  });

  it("does not match unrelated footage with the same editing rhythm", () => {
    expect(match(footage(99, [4, 6, 3, 8, 5, 7, 4, 9, 6, 5]), original)).toBeUndefined();
  });

  it("does not match two videos that share only a still title card", () => {
    const card = footage(5, [3]).map(() => footage(5, [1])[0]);
    expect(match([...card, ...footage(11, [5, 8, 7])], [...card, ...footage(12, [6, 6, 9])])).toBeUndefined();
  });

  it("looks a soft change up with the pictures next to its moment, where a copy's noise may have moved it", () => {
    // Bit positions 0-63 (0: the high word's top bit); 1, 8, 2 and 9 are among the 16 coarse ones, 20-31 and 48-63 are not.
    const flip = (hash: Hash64, positions: number[]): Hash64 =>
      positions.reduce<Hash64>(([hi, lo], p) => (p < 32 ? [(hi ^ (1 << (31 - p))) >>> 0, lo] : [hi, (lo ^ (1 << (63 - p))) >>> 0]), hash);
    const fine = Array.from({ length: 12 }, (_, i) => 20 + i).concat(Array.from({ length: 16 }, (_, i) => 48 + i));
    const a: Hash64 = [0x5a5a5a5a, 0x33cc33cc];
    // The source changes at sample 8, 21 bits from a (a soft change); the copy's picture there is 19 bits from a
    // (no change yet, same coarse bits), and its change comes a sample later, with other coarse bits.
    const changed = flip(a, [1, 8, ...fine.slice(0, 19)]);
    const almost = flip(a, [1, 8, ...fine.slice(0, 17)]);
    const next = flip(a, [2, 9, ...fine.slice(8, 28)]);
    const source = [...Array.from({ length: 8 }, () => a), changed, ...Array.from({ length: 11 }, () => next)];
    const copy = [...Array.from({ length: 8 }, () => a), almost, ...Array.from({ length: 11 }, () => next)];
    const [filed] = indexEntries(source);
    expect(filed!.sample).toBe(0);
    expect(
      queryEntries(copy)
        .filter((e) => e.sample === 0)
        .map((e) => e.key),
    ).toContain(filed!.key);
    // A hard cut (32 bits) has one moment: nothing more is looked up.
    const cut = flip(a, [2, 9, ...fine, 32, 33, 34, 35]);
    const hard = [...Array.from({ length: 8 }, () => a), ...Array.from({ length: 12 }, () => cut)];
    expect(queryEntries(hard).filter((e) => e.sample === 0)).toHaveLength(1);
  });

  it("indexes a short video every second and a longer one every two seconds", () => {
    const moving = (sec: number) =>
      footage(
        31,
        Array.from({ length: sec }, () => 1),
      );
    const strides = (sec: number) => {
      const samples = indexEntries(moving(sec)).map((e) => e.sample);
      return new Set(samples.slice(1).map((s, i) => s - samples[i]!));
    };
    expect(strides(30)).toEqual(new Set([SAMPLE_RATE]));
    expect(strides(SHORT_VIDEO_SAMPLES / SAMPLE_RATE)).toEqual(new Set([SAMPLE_RATE]));
    expect(strides(SHORT_VIDEO_SAMPLES / SAMPLE_RATE + 1)).toEqual(new Set([2 * SAMPLE_RATE]));
  });

  it("looks a still shot's key up twice a second, not at every sample (a stored video files it once)", () => {
    const still = footage(21, [1]).slice(0, 1);
    const shot = [...Array.from({ length: 6 * SAMPLE_RATE }, () => still[0]), ...footage(22, [3])];
    // Every sample of the still shot pairs its picture with the next shot's first: one key.
    const [first] = queryEntries(shot);
    const samples = queryEntries(shot)
      .filter((e) => e.key === first!.key)
      .map((e) => e.sample);
    expect(samples).toEqual(Array.from({ length: (6 * SAMPLE_RATE) / 2 }, (_, i) => 2 * i));
  });

  it("follows the alignment past the edge of its search when the voted offset is further off", () => {
    const copy = jitter(original, 3);
    const off = DEFAULT_VERIFY.searchSamples + 3;
    expect(verifyOffset(copy, original, off)?.offsetSamples).toBe(0);
    expect(verifyOffset(copy, original, -off)?.offsetSamples).toBe(0);
  });

  it("votes for the offset most query samples agree on, counting neighbouring bins", () => {
    const hits = [
      ...[0, 1, 2, 3, 4].map((q) => ({ videoNum: 7, refSample: q + 40, querySample: q, keyRows: 1 })),
      ...[5, 6].map((q) => ({ videoNum: 7, refSample: q + 41, querySample: q, keyRows: 1 })),
      { videoNum: 8, refSample: 3, querySample: 1, keyRows: 1 },
    ];
    expect(voteOffsets(hits, { binSamples: 2, minVotes: 3, stopAt: 50 })).toEqual([
      { videoNum: 7, offsetSamples: 40, votes: 7, score: 7 * Math.log(51), queryFirst: 0, queryLast: 6 },
    ]);
  });

  it("makes no candidate of a video hit through one stored row, however many query samples met it", () => {
    const rule = { binSamples: 2, minVotes: 2, stopAt: 50 };
    const oneRow = [0, 1, 2].map((q) => ({ videoNum: 4, refSample: 8, querySample: q, keyRows: 1 }));
    const twoRows = [0, 4].map((q) => ({ videoNum: 5, refSample: q + 8, querySample: q, keyRows: 1 }));
    expect(voteOffsets([...oneRow, ...twoRows], rule).map((c) => c.videoNum)).toEqual([5]);
  });

  it("weighs votes by how rare their keys are, and never counts a stop-listed key", () => {
    const rule = { binSamples: 2, minVotes: 2, stopAt: 50 };
    // Video 1: four votes through keys found in 40 rows; video 2: three through keys found once.
    const common = [0, 1, 2, 3].map((q) => ({ videoNum: 1, refSample: q + 10, querySample: q, keyRows: 40 }));
    const rare = [0, 1, 2].map((q) => ({ videoNum: 2, refSample: q + 20, querySample: q, keyRows: 1 }));
    const stopped = [0, 1, 2, 3, 4, 5].map((q) => ({ videoNum: 3, refSample: q, querySample: q, keyRows: 51 }));
    const candidates = voteOffsets([...common, ...rare, ...stopped], rule);
    expect(candidates.map((c) => [c.videoNum, c.votes])).toEqual([
      [2, 3],
      [1, 4],
    ]);
  });
});

describe("sharedChanges", () => {
  // A still layout (hash T) around an inset: each cut of the inset flips 4 more bits (8 from the
  // state before), in the high word in one video and the low word in the other, so the two
  // videos stay within 8 bits of each other, sample after sample.
  const T: Hash64 = [0x5a5a5a5a, 0x33cc33cc];
  const layout = (cuts: readonly number[], word: 0 | 1) =>
    Array.from({ length: 160 }, (_, i): Hash64 => {
      const k = cuts.filter((c) => i >= c).length;
      const mask = k === 0 ? 0 : (0xf << (4 * k)) >>> 0;
      return word === 0 ? [(T[0] ^ mask) >>> 0, T[1]] : [T[0], (T[1] ^ mask) >>> 0];
    });
  const query = layout([20, 60, 100, 140], 0);

  it("counts the changes two videos make together: a copy's cuts, not another inset's in the same layout", () => {
    // The first cut moves 4 bits from T, too few to count; the other three, 8.
    expect(sharedChanges(query, query, verifyOffset(query, query, 0)!)).toEqual({ changes: 3, shared: 3 });
    const other = layout([35, 75, 115], 1);
    const sameLayout = verifyOffset(query, other, 0)!;
    expect(sameLayout.matchedSamples).toBe(160);
    expect(sharedChanges(query, other, sameLayout)).toEqual({ changes: 3, shared: 0 });
  });
});
