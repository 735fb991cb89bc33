import { describe, expect, it } from "vitest";
import { AUDIO_ITEM_SEC, encodeAudioPrint } from "../../../src/fingerprint/audio-print.js";
import { CROP_SHIFTS, cropOfStrip } from "../../../src/fingerprint/centre-strip.js";
import { queryEntries, SAMPLE_RATE, type Signature } from "../../../src/fingerprint/signature.js";
import { mirrorMatch } from "../../../src/domain/match.js";
import { findDuplicates, toStoredMatch, VOTING, type QueryFootage } from "../../../src/match/find-duplicates.js";
import { coarseBitsMoved, reencoded, syntheticSignature } from "../../../scripts/bench/synthetic.js";
import { InMemoryIndex } from "../ingest/fakes.js";

/** A small seeded generator (mulberry32), so the catalog is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random soundtracks: every item a change (a melody, not a tone). */
const soundtracks = (sound: () => number) => (seconds: number) =>
  Uint32Array.from({ length: Math.round(seconds / AUDIO_ITEM_SEC) }, () => Math.floor(sound() * 2 ** 32) >>> 0);

/** A query: its signature, no flipped footage (its mirror image is footage never stored). */
const upright = (signature: Signature, videoNum = -1) => ({
  videoNum,
  signature,
  mirrored: syntheticSignature(rng(1234), signature.length / SAMPLE_RATE),
  regions: [],
  durationSec: signature.length / SAMPLE_RATE,
});

describe("findDuplicates (index lookup → voting → verification, on an in-memory index)", () => {
  const random = rng(7);
  const catalog = Array.from({ length: 40 }, () => syntheticSignature(random, 60 + Math.floor(random() * 60)));
  const index = new InMemoryIndex();
  catalog.forEach((signature, num) => index.add(`video-${num}`, num, `v${num}.mp4`, signature));

  it("finds a re-encoded whole copy as a near-duplicate at offset 0", async () => {
    const copy = reencoded(random, catalog[7]!);
    const found = await findDuplicates(index, upright(copy));
    expect(found.map((d) => d.reference.key)).toEqual(["v7.mp4"]);
    expect(toStoredMatch(found[0]!)).toMatchObject({ otherVideoId: "video-7", kind: "near-duplicate", offsetSec: 0 });
  });

  it("finds a 20 s fragment as partial, with the offset of where it was cut from", async () => {
    const fragment = reencoded(random, catalog[12]!.slice(30 * SAMPLE_RATE, 50 * SAMPLE_RATE));
    const [match] = await findDuplicates(index, upright(fragment));
    expect(match?.reference.key).toBe("v12.mp4");
    expect(match?.verdict).toMatchObject({ kind: "partial", offsetSec: 30 });
  });

  it("reports nothing for footage it has never stored", async () => {
    const unrelated = syntheticSignature(rng(99), 90);
    expect(await findDuplicates(index, upright(unrelated))).toEqual([]);
  });

  it("never reports the query video itself", async () => {
    expect(await findDuplicates(index, upright(catalog[3]!, 3))).toEqual([]);
  });

  it("finds a flipped copy through its mirror image, as flipped, with the offset of where it was cut from", async () => {
    // Flipped, the copy's pictures are new footage; its mirror image is the stored video's.
    const fragment = reencoded(random, catalog[21]!.slice(10 * SAMPLE_RATE, 40 * SAMPLE_RATE));
    const query = { ...upright(syntheticSignature(rng(5), 30)), mirrored: fragment };
    const [match, ...others] = await findDuplicates(index, query);
    expect(others).toEqual([]);
    expect(match?.reference.key).toBe("v21.mp4");
    expect(match?.flipped).toBe(true);
    expect(toStoredMatch(match!)).toMatchObject({ kind: "partial", offsetSec: 10, flipped: true });
  });

  it("finds a copy that fills only a region of the frame through that region's signature, with the region", async () => {
    // The whole frame is new footage; the region shows the stored video's pictures.
    const inset = reencoded(random, catalog[27]!.slice(0, 40 * SAMPLE_RATE));
    const region = [0.5, 0.5, 1, 1] as const;
    const query = { ...upright(syntheticSignature(rng(6), 40)), regions: [{ region, stillAround: false, signature: inset }] };
    const [match, ...others] = await findDuplicates(index, query);
    expect(others).toEqual([]);
    expect(match).toMatchObject({ reference: { key: "v27.mp4" }, flipped: false, region });
    expect(toStoredMatch(match!)).toMatchObject({ offsetSec: 0, region, otherRegion: null });
  });

  it("finds a portrait crop of a stored landscape video through its centre strip, centred or off centre, with where it was cut", async () => {
    const own = rng(61);
    const strip = syntheticSignature(own, 70);
    index.add("video-wide", 97, "wide.mp4", syntheticSignature(own, 70), { stripSignature: strip, aspect: 16 / 9 });
    const shifts = () => CROP_SHIFTS.map((shift) => ({ shift, signature: syntheticSignature(rng(shift * 1000 + 3), 50) }));
    const centred = reencoded(own, strip.slice(10 * SAMPLE_RATE, 60 * SAMPLE_RATE));
    const [match, ...others] = await findDuplicates(index, { ...upright(centred), crops: shifts() });
    expect(others).toEqual([]);
    expect(match).toMatchObject({ reference: { key: "wide.mp4" }, region: null, otherRegion: cropOfStrip(16 / 9, 0) });
    expect(toStoredMatch(match!)).toMatchObject({ kind: "partial", offsetSec: 10, otherRegion: [0.342, 0, 0.658, 1] });
    // Off centre: only the picture shifted back by a tenth of its width shows the strip.
    const offCentre = {
      ...upright(syntheticSignature(rng(8), 50)),
      crops: shifts().map((c) => (c.shift === -0.1 ? { ...c, signature: centred } : c)),
    };
    expect(await findDuplicates(index, offCentre)).toMatchObject([
      { reference: { key: "wide.mp4" }, otherRegion: cropOfStrip(16 / 9, -0.1) },
    ]);
    // A landscape upload is not a crop: its picture is never looked up among the strips.
    expect(await findDuplicates(index, upright(centred))).toEqual([]);
  });

  it("reports a video found both ways once, unflipped (a picture symmetric enough to be its own mirror image)", async () => {
    const copy = reencoded(random, catalog[9]!);
    const found = await findDuplicates(index, { ...upright(copy), mirrored: reencoded(random, catalog[9]!) });
    expect(found.map((d) => [d.reference.key, d.flipped])).toEqual([["v9.mp4", false]]);
  });

  it("finds a copy sped up by a quarter, with its rate and its segment in both videos", async () => {
    const source = catalog[15]!;
    const copy = reencoded(
      random,
      Array.from({ length: Math.floor(source.length / 1.25) }, (_, i) => source[Math.round(i * 1.25)]),
    );
    const [match] = await findDuplicates(index, upright(copy));
    expect(match?.reference.key).toBe("v15.mp4");
    expect(match?.rate).toBe(1.25);
    const { querySegment, refSegment } = match!.verdict;
    const [copySec, sourceSec] = [copy.length / SAMPLE_RATE, source.length / SAMPLE_RATE];
    expect(querySegment[0]).toBeLessThan(1);
    expect(querySegment[1]).toBeGreaterThan(copySec - 1.5);
    expect(refSegment[1]).toBeGreaterThan(sourceSec - 2);
    expect(toStoredMatch(match!)).toMatchObject({ kind: "near-duplicate", rate: 1.25 });
  });

  it("lists every part of a stored video a compilation uses, each with its own segment in both videos", async () => {
    const source = catalog[30]!;
    const other = syntheticSignature(rng(55), 25);
    const sec = (from: number, to: number) => [from * SAMPLE_RATE, to * SAMPLE_RATE] as const;
    // Other footage 0–10 s, the source's 20–40 s, other footage, its 60–80 s, other footage.
    const compilation = reencoded(random, [
      ...other.slice(...sec(0, 10)),
      ...source.slice(...sec(20, 40)),
      ...other.slice(...sec(10, 20)),
      ...source.slice(...sec(60, 80)),
      ...other.slice(...sec(20, 25)),
    ]);
    const [match, ...others] = await findDuplicates(index, upright(compilation));
    expect(others).toEqual([]);
    expect(match?.reference.key).toBe("v30.mp4");
    const segments = [{ segment: match!.verdict.querySegment, otherSegment: match!.verdict.refSegment }, ...match!.moreSegments];
    const near = (actual: readonly number[], expected: readonly number[]) => actual.every((t, i) => Math.abs(t - expected[i]!) <= 1);
    for (const [here, there] of [
      [
        [10, 30],
        [20, 40],
      ],
      [
        [40, 60],
        [60, 80],
      ],
    ] as const) {
      expect(
        segments.filter((s) => near(s.segment, here) && near(s.otherSegment, there)),
        `${here.join("–")} ~ ${there.join("–")}`,
      ).toHaveLength(1);
    }
    expect(segments).toHaveLength(2);
    // Kind and score count both: 40 s of the shorter video's footage, not 20.
    const shorterSec = Math.min(compilation.length, source.length) / SAMPLE_RATE;
    expect(match!.verdict.kind).toBe("partial");
    expect(match!.verdict.score).toBeGreaterThan((0.9 * 40) / shorterSec);
    // The stored video's side lists the same two, swapped, in its own time order.
    const theirs = mirrorMatch("query", toStoredMatch(match!));
    expect([theirs.segment, ...theirs.moreSegments.map((m) => m.segment)].every((s) => near(s, [20, 40]) || near(s, [60, 80]))).toBe(true);
    expect(theirs.moreSegments.map((m) => m.segment[0])).toEqual([...theirs.moreSegments.map((m) => m.segment[0])].sort((a, b) => a - b));
  });

  it("lists the same footage used twice as two segments, and no further segment for a whole copy", async () => {
    const source = catalog[33]!;
    const twice = reencoded(random, [
      ...source.slice(20 * SAMPLE_RATE, 35 * SAMPLE_RATE),
      ...syntheticSignature(rng(56), 10),
      ...source.slice(20 * SAMPLE_RATE, 35 * SAMPLE_RATE),
    ]);
    const [match] = await findDuplicates(index, upright(twice));
    expect(match?.reference.key).toBe("v33.mp4");
    const starts = [match!.verdict.querySegment[0], ...match!.moreSegments.map((m) => m.segment[0])].sort((a, b) => a - b);
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBeLessThanOrEqual(1);
    expect(Math.abs(starts[1]! - 25)).toBeLessThanOrEqual(1);
    for (const m of match!.moreSegments) expect(Math.abs(m.otherSegment[0] - 20)).toBeLessThanOrEqual(1);
    // 30 of the compilation's 40 s are the source's, but only 15 s of the source are used: a fragment.
    expect(match!.verdict).toMatchObject({ kind: "partial" });
    expect(match!.verdict.score).toBeGreaterThan(0.9 * 0.75);
    const [whole] = await findDuplicates(index, upright(reencoded(random, catalog[34]!)));
    expect(whole?.moreSegments).toEqual([]);
  });

  it("calls a copy whose middle was replaced a copy of the whole: its two segments cover both videos", async () => {
    const source = catalog[35]!;
    const cut = Math.floor(source.length / 2);
    const patched = reencoded(rng(58), [...source.slice(0, cut - 20), ...syntheticSignature(rng(57), 10), ...source.slice(cut + 20)]);
    const [match] = await findDuplicates(index, upright(patched));
    expect(match?.reference.key).toBe("v35.mp4");
    expect(match!.moreSegments).toHaveLength(1);
    expect(match!.verdict.kind).toBe("near-duplicate");
  });

  it("keeps rate 1 for copies at the same speed", async () => {
    const copy = reencoded(random, catalog[18]!);
    expect((await findDuplicates(index, upright(copy))).map((d) => d.rate)).toEqual([1]);
  });

  it("says a match rests on picture and sound where the soundtracks agree along its alignment, and on the picture otherwise", async () => {
    const soundtrack = soundtracks(rng(31));
    const picture = syntheticSignature(random, 90);
    const music = soundtrack(90);
    index.add("video-sound", 99, "sound.mp4", picture, { audioPrint: encodeAudioPrint(music) });
    // A fragment from 20 s on, with its sound; the same fragment with another soundtrack; a tone.
    const fragment = reencoded(random, picture.slice(20 * SAMPLE_RATE, 60 * SAMPLE_RATE));
    const withSound = { ...upright(fragment), audioPrint: music.slice(Math.round(20 / AUDIO_ITEM_SEC)) };
    const evidence = async (query: QueryFootage) => (await findDuplicates(index, query)).map((d) => [d.reference.key, d.evidence]);
    expect(await evidence(withSound)).toEqual([["sound.mp4", "both"]]);
    expect(await evidence({ ...withSound, audioPrint: soundtrack(40) })).toEqual([["sound.mp4", "picture"]]);
    expect(await evidence({ ...withSound, audioPrint: new Uint32Array(400).fill(7) })).toEqual([["sound.mp4", "picture"]]);
    expect(await evidence({ ...withSound, audioPrint: null })).toEqual([["sound.mp4", "picture"]]);
  });

  it("counts shared footage shorter than a fragment (a compilation's few seconds) only where the soundtracks agree along it", async () => {
    const soundtrack = soundtracks(rng(41));
    const picture = syntheticSignature(random, 80);
    const music = soundtrack(80);
    index.add("video-short", 98, "short.mp4", picture, { audioPrint: encodeAudioPrint(music) });
    // 7 s of it from 30 s on, between 15 s of other footage on either side, each part with its own sound.
    const other = syntheticSignature(rng(77), 30);
    const shared = reencoded(random, picture.slice(30 * SAMPLE_RATE, 37 * SAMPLE_RATE));
    const compilation = [...other.slice(0, 15 * SAMPLE_RATE), ...shared, ...other.slice(15 * SAMPLE_RATE)];
    const item = (sec: number) => Math.round(sec / AUDIO_ITEM_SEC);
    const ownSound = soundtrack(37);
    const withSound = {
      ...upright(compilation),
      audioPrint: Uint32Array.from([...ownSound.slice(0, item(15)), ...music.slice(item(30), item(37)), ...ownSound.slice(item(22))]),
    };
    const [match, ...others] = await findDuplicates(index, withSound);
    expect(others).toEqual([]);
    expect(match).toMatchObject({ reference: { key: "short.mp4" }, evidence: "both", verdict: { kind: "partial", offsetSec: 15 } });
    const [start, end] = match!.verdict.querySegment;
    expect(start).toBeGreaterThanOrEqual(14);
    expect(end).toBeLessThanOrEqual(23);
    // The same pictures with a soundtrack of their own, or none: too short to count.
    expect(await findDuplicates(index, { ...withSound, audioPrint: ownSound })).toEqual([]);
    expect(await findDuplicates(index, { ...withSound, audioPrint: null })).toEqual([]);
  });

  it("takes pictures that agree less often (an inset at a third of the frame) only where the soundtracks agree along them", async () => {
    const own = new InMemoryIndex();
    const make = rng(43);
    const soundtrack = soundtracks(make);
    const picture = syntheticSignature(make, 40);
    const music = soundtrack(40);
    own.add("video-inset", 1, "inset.mp4", picture, { audioPrint: encodeAudioPrint(music) });
    // 2 s of every 4.5 s still show the picture; the rest has lost its detail (pictures of its own).
    const noise = syntheticSignature(make, 40);
    const blurred = reencoded(
      make,
      picture.map((p, i) => (i % 18 < 8 ? p : noise[i])),
    );
    const withSound = { ...upright(blurred), audioPrint: music };
    const [match, ...others] = await findDuplicates(own, withSound);
    expect(others).toEqual([]);
    expect(match).toMatchObject({ reference: { key: "inset.mp4" }, evidence: "both" });
    expect(await findDuplicates(own, { ...withSound, audioPrint: soundtrack(40) })).toEqual([]);
    expect(await findDuplicates(own, { ...withSound, audioPrint: null })).toEqual([]);
  });

  it("finds through the soundtrack's keys footage whose pictures' keys it never met, and reports it only where the picture verifies it", async () => {
    const own = new InMemoryIndex();
    const make = rng(53);
    const soundtrack = soundtracks(make);
    const [picture, otherPicture] = [syntheticSignature(make, 60), syntheticSignature(make, 60)];
    const music = soundtrack(60);
    own.add("video-heard", 1, "heard.mp4", picture, { audioPrint: encodeAudioPrint(music) });
    own.add("video-other", 2, "other.mp4", otherPicture, { audioPrint: encodeAudioPrint(soundtrack(60)) });
    // 15 s from 20 s on, with every key moved out of the one-bit neighbours' reach.
    const fragment = coarseBitsMoved(picture.slice(20 * SAMPLE_RATE, 35 * SAMPLE_RATE));
    const heard = music.slice(Math.round(20 / AUDIO_ITEM_SEC), Math.round(35 / AUDIO_ITEM_SEC));
    expect(await findDuplicates(own, { ...upright(fragment), audioPrint: null })).toEqual([]);
    const [match, ...others] = await findDuplicates(own, { ...upright(fragment), audioPrint: heard });
    expect(others).toEqual([]);
    expect(match).toMatchObject({ reference: { key: "heard.mp4" }, evidence: "both", verdict: { kind: "partial", offsetSec: 20 } });
    // The same sound over other pictures (a shared music bed): the sound alone is no match.
    const otherFragment = coarseBitsMoved(otherPicture.slice(20 * SAMPLE_RATE, 35 * SAMPLE_RATE));
    expect(await findDuplicates(own, { ...upright(otherFragment), audioPrint: heard })).toEqual([]);
  });

  it("verifies the footage of every source of a compilation, however many stored partial copies outrank one source", async () => {
    const shared = new InMemoryIndex();
    const make = rng(71);
    const [popular, other] = [syntheticSignature(make, 90), syntheticSignature(make, 60)];
    const sec = (from: number, to: number) => [from * SAMPLE_RATE, to * SAMPLE_RATE] as const;
    shared.add("popular", 0, "popular.mp4", popular);
    shared.add("other", 1, "other.mp4", other);
    // 30 stored fragments of the popular video's first minute, 10 of the other's first 20 s.
    for (let i = 0; i < 30; i += 1) shared.add(`popular-${i}`, 10 + i, `p${i}.mp4`, reencoded(make, popular.slice(...sec(0, 60))));
    for (let i = 0; i < 10; i += 1) shared.add(`other-${i}`, 50 + i, `o${i}.mp4`, reencoded(make, other.slice(...sec(0, 20))));
    const compilation = upright(reencoded(make, [...popular.slice(...sec(0, 60)), ...other.slice(...sec(5, 17))]));
    const search = await shared.findCandidates({
      excludeVideoNum: -1,
      sets: [{ probes: queryEntries(compilation.signature), neighbours: true }],
      rule: VOTING,
      maxCandidates: 100,
    });
    const holdsOther = (num: number) => num === 1 || num >= 50;
    // By score alone, the 20 places all go to videos holding the popular footage.
    const ranked = [...search.candidates[0]!].sort((a, b) => b.score - a.score).map((c) => c.videoNum);
    expect(ranked.filter(holdsOther)).toHaveLength(11);
    expect(ranked.slice(0, 20).filter(holdsOther)).toEqual([]);
    // Verified per stretch, both sources' footage is found (other.mp4 or one of its fragments, o*.mp4).
    const found = (await findDuplicates(shared, compilation)).map((d) => d.reference.key);
    expect(found.filter((key) => key.startsWith("p")).length).toBeGreaterThan(0);
    expect(found.filter((key) => key.startsWith("o")).length).toBeGreaterThan(0);
  });
});
