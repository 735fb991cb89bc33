import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { caseOriginals, produceOriginal } from "../../scripts/bench/corpus.js";
import { renderCompilation } from "../../scripts/bench/compilations.js";
import { TRANSFORMATIONS, type OriginalSpec } from "../../scripts/bench/edits.js";
import { mulberry32, randomScene, sceneDurations } from "../../scripts/bench/random-scenes.js";
import { waitFor } from "../helpers/env.js";
import { getStatus, startStack, type TestStack } from "../helpers/stack.js";
import type { DuplicateEntry as Duplicate } from "../../src/status/snapshot.js";

/**
 * A small version of the accuracy corpus through the real path: originals and their copies
 * uploaded to S3, analysed from SQS events, judged by GET /status/:file.
 */
/** Copies whose frame shows the original's picture in part of it only. */
const IN_PART_OF_FRAME = new Set(["vertical, blurred fill", "caption bars (meme)", "reaction frame"]);
/** Copies that keep the original's soundtrack where it was (the others drop it, re-time it or shift it). */
const SOUND_KEPT = new Set(["trimmed head", "letterboxed 4:3", "frame rate changed", "vp9 webm", "mirrored", ...IN_PART_OF_FRAME]);

describe("duplicate detection through S3 → SQS → /status (small accuracy corpus)", () => {
  let stack: TestStack;
  let dir: string;
  const originals: OriginalSpec[] = [];
  const copies: { key: string; original: string; transformation: string }[] = [];
  const negatives: string[] = [];

  const upload = async (key: string, file: string) =>
    stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(file) }));
  const terminal = (key: string) =>
    waitFor(
      async () => {
        const { status, body } = await getStatus(stack.baseUrl, key);
        return status === 200 && (body.status === "done" || body.status === "failed") ? body : undefined;
      },
      120_000,
      `a terminal status for ${key}`,
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dup-fixtures-"));
    const rng = mulberry32(4242);
    // The layouts draw from a stream of their own: the other copies stay what they were (a
    // trim drawn 9 s long from a 32 s original keeps 72 % of it: a partial, not a whole copy).
    const layoutRng = mulberry32(4343);
    // "a" has a melody for a soundtrack, "b" a tone (a soundtrack that says nothing).
    for (const [id, rhythm, seconds, sound] of [
      ["a", "normal", 40, { melodySeed: 42 }],
      ["b", "single", 32, { audioHz: 440 }],
    ] as const) {
      const durations = sceneDurations(rng, seconds, rhythm);
      const file = path.join(dir, `${id}.mp4`);
      await renderScenes(
        file,
        durations.map((d) => randomScene(rng, d)),
        { fps: 25, crf: 20, ...sound },
      );
      originals.push({ id, file, durationSec: seconds, fps: 25, durations });
    }
    const chosen = [
      "trimmed head",
      "letterboxed 4:3",
      "frame rate changed",
      "black intro 3 s",
      "fragment embedded",
      "vp9 webm",
      "mirrored",
      "speed 1.25×",
      "vertical, blurred fill",
      "caption bars (meme)",
      "reaction frame",
    ];
    for (const original of originals) {
      for (const name of chosen) {
        if (name === "fragment embedded" && original.durationSec < 35) continue;
        const slug = name.replace(/[^a-z0-9]+/gi, "-");
        const file = path.join(dir, `${original.id}-${slug}.${name === "vp9 webm" ? "webm" : "mp4"}`);
        await TRANSFORMATIONS[name]!(original, file, IN_PART_OF_FRAME.has(name) ? layoutRng : rng, dir);
        copies.push({
          key: `copies/${original.id}/${slug}${path.extname(file)}`,
          original: `originals/${original.id}.mp4`,
          transformation: name,
        });
      }
    }
    // Hard negatives: the same editing rhythm as "a", and a single long shot.
    const sameRhythm = path.join(dir, "same-rhythm.mp4");
    await renderScenes(
      sameRhythm,
      originals[0]!.durations.map((d) => randomScene(rng, d)),
      { fps: 25 },
    );
    const singleShot = path.join(dir, "single-shot.mp4");
    await renderScenes(singleShot, [randomScene(rng, 30)], { fps: 25 });
    stack = await startStack("duplicates");
    for (const original of originals) await upload(`originals/${original.id}.mp4`, original.file);
    for (const original of originals) await terminal(`originals/${original.id}.mp4`);
    for (const copy of copies)
      await upload(copy.key, path.join(dir, `${copy.original.split("/")[1]!.replace(".mp4", "")}-${path.basename(copy.key)}`));
    await upload("negatives/same-rhythm.mp4", sameRhythm);
    await upload("negatives/single-shot.mp4", singleShot);
    negatives.push("negatives/same-rhythm.mp4", "negatives/single-shot.mp4");
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("reports every copy as a duplicate of its original, with kind, offset and segments", async () => {
    const missed: string[] = [];
    const wrongKind: string[] = [];
    const regions: string[] = [];
    const wrongEvidence: string[] = [];
    for (const copy of copies) {
      const body = await terminal(copy.key);
      const duplicates = body.duplicates as Duplicate[];
      const match = duplicates.find((d) => d.file === copy.original);
      if (!match) {
        missed.push(`${copy.transformation} of ${copy.original}: ${JSON.stringify(duplicates)}`);
        continue;
      }
      expect(match.score).toBeGreaterThan(0);
      expect(match.segment[1]).toBeGreaterThan(match.segment[0]);
      // A re-timed copy covers the same footage in more or less time: its rate says how much.
      expect(match.otherSegment[1] - match.otherSegment[0]).toBeCloseTo((match.segment[1] - match.segment[0]) * match.rate, 0);
      const expectedKind = copy.transformation === "fragment embedded" ? "partial" : "near-duplicate";
      if (match.kind !== expectedKind) wrongKind.push(`${copy.transformation} of ${copy.original}: ${JSON.stringify(match)}`);
      if (copy.transformation === "black intro 3 s") expect(match.offsetSec).toBeCloseTo(-3, 0);
      expect(match.flipped).toBe(copy.transformation === "mirrored");
      expect(match.rate).toBe(copy.transformation === "speed 1.25×" ? 1.25 : 1);
      // The original's picture fills only part of these copies' frames: where is reported.
      if (IN_PART_OF_FRAME.has(copy.transformation)) regions.push(`${copy.transformation}: ${JSON.stringify(match.region)}`);
      else expect(match.region).toBeNull();
      expect(match.otherRegion).toBeNull();
      // The melody confirms the picture wherever a copy keeps it in place; the tone never does.
      const melody = copy.original === "originals/a.mp4";
      if (!melody || SOUND_KEPT.has(copy.transformation)) {
        const expected = melody ? "both" : "picture";
        if (match.evidence !== expected) wrongEvidence.push(`${copy.key}: ${match.evidence}, expected ${expected}`);
      }
    }
    expect(wrongEvidence).toEqual([]);
    expect(regions.filter((r) => r.endsWith("null"))).toEqual([]);
    expect(missed).toEqual([]);
    expect(wrongKind).toEqual([]);
    // It waits for every copy's analysis (28, queued at once): minutes on a busy 2-core machine.
  }, 300_000);

  it("lists the copies on the original too (symmetric)", async () => {
    for (const original of originals) {
      const key = `originals/${original.id}.mp4`;
      const listed = (await getStatus(stack.baseUrl, key)).body.duplicates as Duplicate[];
      for (const copy of copies.filter((c) => c.original === key)) {
        const entry = listed.find((d) => d.file === copy.key);
        expect(entry, copy.key).toBeDefined();
        // Seen from the original, its picture is in part of the copy's frame.
        expect(entry!.region).toBeNull();
        expect(entry!.otherRegion === null).toBe(!IN_PART_OF_FRAME.has(copy.transformation));
      }
    }
  });

  it("reports a whole copy whose last scenes no hash can see as a near-duplicate over its whole length", async () => {
    // The accuracy corpus's case c00: 30 s, its last 10 s a fine cellular texture and a gradient of one luma.
    const [plan] = caseOriginals(dir);
    await produceOriginal(plan!);
    const copyFile = path.join(dir, "c00-180p.mp4");
    await transcode(plan!.file, copyFile, ["-vf", "scale=-2:180", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]);
    await upload("originals/c00.mp4", plan!.file);
    await terminal("originals/c00.mp4");
    await upload("copies/c00/180p.mp4", copyFile);
    const match = ((await terminal("copies/c00/180p.mp4")).duplicates as Duplicate[]).find((d) => d.file === "originals/c00.mp4");
    expect(match?.kind).toBe("near-duplicate");
    // To the matcher's resolution (one sample, 0.25 s), as the black-intro copy's offset above.
    expect(match!.offsetSec).toBeCloseTo(0, 0);
    expect(match!.segment[0]).toBeLessThan(0.5);
    // Aligned to the end, not to the last hashed picture (20 s): at the reported offset the segment runs to the end of
    // the video that ends first there, so the other side ends one offset later.
    expect(match!.otherSegment[1] - match!.segment[1]).toBeCloseTo(match!.offsetSec, 5);
    expect(match!.segment[1]).toBeGreaterThan(29.5);
    expect(match!.otherSegment[1]).toBeGreaterThan(29.5);
    // Coverage 1 of both: the score is the agreement alone, and a whole copy never scores under the whole-copy coverage.
    expect(match!.score).toBeGreaterThanOrEqual(0.75);
  });

  it("lists both stretches of an original that a compilation uses twice, each with its own segment", async () => {
    // a's 20–32 s, b's 5–17 s, then a's 2–14 s: two alignments with a, 42 s apart in offset.
    const parts = [
      { source: "a", at: [0, 12], from: [20, 32] },
      { source: "b", at: [12, 24], from: [5, 17] },
      { source: "a", at: [24, 36], from: [2, 14] },
    ] as const;
    const file = path.join(dir, "compilation-twice.mp4");
    await renderCompilation(parts, new Map(originals.map((o) => [o.id, o.file])), file);
    await upload("copies/compilation-twice.mp4", file);
    const duplicates = (await terminal("copies/compilation-twice.mp4")).duplicates as Duplicate[];
    const match = duplicates.find((d) => d.file === "originals/a.mp4");
    expect(match, JSON.stringify(duplicates)).toBeDefined();
    const listed = [{ segment: match!.segment, otherSegment: match!.otherSegment }, ...match!.moreSegments];
    // Each stretch of a has one listed segment over most of it, on both sides.
    const overlap = (x: readonly number[], y: readonly number[]) => Math.max(0, Math.min(x[1]!, y[1]!) - Math.max(x[0]!, y[0]!));
    for (const part of parts.filter((p) => p.source === "a")) {
      const covering = listed.filter((l) => overlap(l.segment, part.at) >= 8 && overlap(l.otherSegment, part.from) >= 8);
      expect(covering, `${part.at.join("–")} ~ ${part.from.join("–")}: ${JSON.stringify(listed)}`).toHaveLength(1);
    }
    // The original lists the same, seen from its side.
    const onOriginal = ((await getStatus(stack.baseUrl, "originals/a.mp4")).body.duplicates as Duplicate[]).find(
      (d) => d.file === "copies/compilation-twice.mp4",
    );
    expect(onOriginal?.moreSegments).toHaveLength(match!.moreSegments.length);
  });

  it("reports nothing for unrelated videos with the same rhythm or a single long shot", async () => {
    for (const key of negatives) {
      const body = await terminal(key);
      expect(body.status).toBe("done");
      expect(body.duplicates).toEqual([]);
    }
  });
});
