/**
 * npm run bench:cuts — scene-cut detection against known cut times: the accuracy corpus's
 * originals are concatenated generated scenes, so every scene boundary is a true cut. Runs
 * the service's decode pass and cut detector on each original and counts, within ±0.1 s,
 * the cuts found, missed and invented. Shares the originals (and their cache) with
 * bench:accuracy.
 *   BENCH_SEED (20261123), BENCH_ORIGINALS (20)
 */
import path from "node:path";
import { FingerprintBuilder } from "../../src/fingerprint/fingerprint-builder.js";
import { FRAME_SIZE } from "../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import { runDecodePass } from "../../src/media/decode-pass.js";
import { planOriginals, produceOriginal } from "./corpus.js";
import { mulberry32 } from "./random-scenes.js";
import { benchGuard, benchLimits } from "./util.js";

const seed = Number(process.env.BENCH_SEED ?? 20261123);
const count = Number(process.env.BENCH_ORIGINALS ?? 20);
const TOLERANCE_SEC = 0.1;
const dir = path.resolve(".run", "bench-corpus", `v4-${seed}-${count}x${Number(process.env.BENCH_NEGATIVES ?? 40)}`);
const guard = benchGuard();
const limits = benchLimits();

let found = 0;
let missed = 0;
let invented = 0;
for (const plan of planOriginals(mulberry32(seed), count, dir)) {
  await produceOriginal(plan);
  const truth = plan.durations.slice(0, -1).map((_, i) => plan.durations.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const fingerprint = new FingerprintBuilder();
  await runDecodePass({
    guard,
    ffmpegPath: limits.ffmpegPath,
    filePath: plan.file,
    timeoutMs: () => 600_000,
    sampleRate: SAMPLE_RATE,
    frameSize: FRAME_SIZE,
    decoderThreads: limits.decoderThreads,
    policy: { maxPixels: limits.media.maxPixels },
    durationSec: Promise.resolve(plan.durations.reduce((a, b) => a + b, 0)),
    maxSegments: limits.decodeSegments,
    onFrameScore: (frame) => fingerprint.addFrameScore(frame),
    onSample: () => {},
  });
  fingerprint.finish();
  const cuts = fingerprint.cuts.map((c) => c.timeSec);
  const hits = truth.filter((t) => cuts.some((c) => Math.abs(c - t) <= TOLERANCE_SEC)).length;
  const extra = cuts.filter((c) => !truth.some((t) => Math.abs(c - t) <= TOLERANCE_SEC)).length;
  found += hits;
  missed += truth.length - hits;
  invented += extra;
  console.error(`[cuts] ${plan.id}: ${truth.length} true cuts, ${hits} found, ${extra} invented`);
}
console.log(`\nscene cuts — ${count} originals of seed ${seed} (known cut times, ±${TOLERANCE_SEC} s)\n`);
console.log(
  `found ${found}, missed ${missed}, invented ${invented}: recall ${(found / (found + missed)).toFixed(3)}, precision ${(found / Math.max(1, found + invented)).toFixed(3)}`,
);
