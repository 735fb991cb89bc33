import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { FingerprintBuilder } from "../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE, hammingDistance } from "../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import { runDecodePass } from "../../src/media/decode-pass.js";
import { ProcessGuard } from "../../src/media/process-guard.js";

/** The decode pass on real ffmpeg: split into parallel segments, it must see what one pass sees. */
const DURATION_SEC = 66;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "decode-pass-"));
  file = path.join(dir, "scenes.mp4");
  // Two segments meet at 33 s: a cut exactly there, and cuts on both sides of it.
  const sources = [
    "testsrc2",
    "life=seed=5:mold=10:ratio=0.2",
    "mandelbrot",
    "cellauto=rule=110",
    "smptehdbars",
    "life=seed=9:mold=5:ratio=0.3",
    "rgbtestsrc",
  ];
  const durations = [9, 8, 7.5, 8.5, 8.25, 9.25, 15.5];
  await renderScenes(
    file,
    sources.map((source, i) => ({ source, durationSec: durations[i]! })),
    { fps: 25 },
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `probeMs`: how long the duration takes to arrive (the probe runs alongside the first segment). */
async function decode(maxSegments: number, filePath = file, probeMs = 0) {
  const fingerprint = new FingerprintBuilder();
  let scoresInOrder = true;
  let lastPts = -Infinity;
  await runDecodePass({
    guard: new ProcessGuard(2000),
    ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
    filePath,
    timeoutMs: () => 120_000,
    sampleRate: SAMPLE_RATE,
    frameSize: FRAME_SIZE,
    decoderThreads: 0,
    policy: { maxPixels: 7680 * 4320 },
    durationSec: new Promise((resolve) => setTimeout(() => resolve(DURATION_SEC), probeMs)),
    maxSegments,
    onFrameScore: (frame) => {
      scoresInOrder &&= frame.ptsTime > lastPts;
      lastPts = frame.ptsTime;
      fingerprint.addFrameScore(frame);
    },
    onSample: (index, gray) => fingerprint.addSample(index, gray),
  });
  fingerprint.finish();
  return { fingerprint, scoresInOrder };
}

describe("decode pass in parallel segments", () => {
  it("finds the same cuts and the same samples as one pass over the whole video", async () => {
    const whole = await decode(1);
    const split = await decode(2);
    expect(split.scoresInOrder).toBe(true);
    // Times and scores: the frame after the seam is compared with the one before it, as in one pass.
    expect(split.fingerprint.cuts).toEqual(whole.fingerprint.cuts);
    expect(whole.fingerprint.cuts).toHaveLength(6);

    const a = whole.fingerprint.signature();
    const b = split.fingerprint.signature();
    expect(b.length).toBe(a.length);
    expect(b.length).toBeGreaterThanOrEqual(DURATION_SEC * SAMPLE_RATE - 1);
    const distances = a.flatMap((hash, i) => (hash && b[i] ? [hammingDistance(hash, b[i])] : []));
    expect(distances.length).toBeGreaterThan(0.8 * a.length);
    // The same frames, smoothed over the same past (the warm-up), give the same hashes.
    expect(distances.filter((d) => d > 2)).toEqual([]);
  });
});

describe("decode pass with a late duration", () => {
  it("sees what one pass sees, whether the duration comes before or after the first segment passes its planned end", async () => {
    const whole = await decode(1);
    for (const probeMs of [300, 5_000]) {
      const late = await decode(2, file, probeMs);
      expect(late.scoresInOrder).toBe(true);
      expect(late.fingerprint.cuts).toEqual(whole.fingerprint.cuts);
      expect(late.fingerprint.signature().length).toBe(whole.fingerprint.signature().length);
    }
  });

  it("stops with the probe's error when the probe fails, leaving no ffmpeg behind", async () => {
    const guard = new ProcessGuard(2000);
    const failure = new Error("the probe found no video");
    const pass = runDecodePass({
      guard,
      ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
      filePath: file,
      timeoutMs: () => 120_000,
      sampleRate: SAMPLE_RATE,
      frameSize: FRAME_SIZE,
      decoderThreads: 0,
      policy: { maxPixels: 7680 * 4320 },
      durationSec: new Promise((_, reject) => setTimeout(() => reject(failure), 200)),
      maxSegments: 2,
      onFrameScore: () => {},
      onSample: () => {},
    });
    await expect(pass).rejects.toBe(failure);
    expect(guard.liveCount).toBe(0);
  });
});

describe("decode pass times", () => {
  it("count from the first frame, whatever start time the container declares", async () => {
    // The same frames in MPEG-TS, whose timestamps here start at 11.4 s (as broadcast files often do not start at 0).
    const shifted = path.join(dir, "shifted.ts");
    await transcode(file, shifted, ["-c", "copy", "-output_ts_offset", "10"]);
    const whole = await decode(1);
    const fromTs = await decode(1, shifted);
    expect(fromTs.fingerprint.cuts.map((c) => c.timeSec)).toEqual(whole.fingerprint.cuts.map((c) => c.timeSec));
  });
});
