/**
 * npm run bench:analysis — the full analysis of a video against plainly decoding it.
 *
 * For H.264 videos (B-frames, scene cuts) at 1080p, 720p and 360p it measures, in the same
 * run and interleaved, BENCH_RUNS times each (medians reported):
 *  - the floor: `ffmpeg -i <file> -an -f null -`;
 *  - the service's full analysis (analyzeObject: copy and hash as the download does, probe,
 *    the decode pass with scene cuts and frame hashes, store, match) against a catalog of
 *    BENCH_CATALOG stored videos;
 * then, per resolution, the time to the first duplicate verdict for a re-encoded copy
 * (against that copy's full analysis time; the run with the median share, and the range of
 * shares) and the time to answer a byte-identical re-upload (median), BENCH_COPY_RUNS times
 * each; and finally throughput on many short videos at concurrency 1 and N.
 *   BENCH_RUNS (3), BENCH_COPY_RUNS (7), BENCH_CATALOG (1000), BENCH_SHORT_VIDEOS (16),
 *   BENCH_CONCURRENCY (CPU count)
 */
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { analyzeObject, type IngestDeps } from "../../src/ingest/analyze-object.js";
import { createDb } from "../../src/store/prisma.js";
import type { JobClaims } from "../../src/ingest/ports.js";
import { renderScenes, transcode } from "../lib/media-fixtures.js";
import { mulberry32, randomScene, sceneDurations } from "./random-scenes.js";
import { LocalFileStore } from "./local-store.js";
import {
  benchDatabaseUrl,
  benchIngest,
  benchNiceness,
  forgetUpload,
  importSyntheticCatalog,
  measureCpuBusy,
  produce,
  runAll,
  X264,
} from "./util.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const runs = env("BENCH_RUNS", 3);
/** A copy's analysis takes about a second, so its verdict share moves by a few points between runs. */
const copyRuns = env("BENCH_COPY_RUNS", 7);
const catalogSize = env("BENCH_CATALOG", 1000);
const shortCount = env("BENCH_SHORT_VIDEOS", 16);
const concurrency = env("BENCH_CONCURRENCY", Math.max(1, os.cpus().length));
const databaseUrl = benchDatabaseUrl("analysis");
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";

// 1. The videos, generated once and cached. Sources are drawn at 640×360 and scaled up.
interface Spec {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly durationSec: number;
  readonly fps: number;
}
const SPECS: Spec[] = [
  { name: "1080p", width: 1920, height: 1080, durationSec: 120, fps: 30 },
  { name: "720p", width: 1280, height: 720, durationSec: 150, fps: 25 },
  { name: "360p", width: 640, height: 360, durationSec: 180, fps: 30 },
];
const dir = path.resolve(".run", "bench-analysis", "v2");
await mkdir(dir, { recursive: true });
const generateStarted = Date.now();
const rng = mulberry32(env("BENCH_SEED", 5));
const plans = SPECS.map((spec) => ({ spec, scenes: sceneDurations(rng, spec.durationSec, "normal").map((d) => randomScene(rng, d)) }));
for (const { spec, scenes } of plans) {
  const file = path.join(dir, `${spec.name}.mp4`);
  await produce(file, (out) =>
    renderScenes(out, scenes, { width: spec.width, height: spec.height, sourceWidth: 640, sourceHeight: 360, fps: spec.fps, audioHz: 440 }),
  );
  // The re-encoded copy: half the height, lower quality.
  await produce(path.join(dir, `${spec.name}-copy.mp4`), (out) =>
    transcode(file, out, ["-vf", `scale=-2:${spec.height / 2}`, "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-c:a", "aac"]),
  );
}
const shortFiles = Array.from({ length: shortCount }, (_, i) => path.join(dir, `short-${String(i).padStart(2, "0")}.mp4`));
const shortScenes = shortFiles.map(() => sceneDurations(rng, 10, "normal").map((d) => randomScene(rng, d)));
await runAll(
  // Each with a melody of its own, as uploads have sound: printing the soundtrack is part of the cost.
  shortFiles.map((file, i) => ({ file, scenes: shortScenes[i]!, melodySeed: 300 + i })),
  2,
  ({ file, scenes, melodySeed }) => produce(file, (out) => renderScenes(out, scenes, { fps: 25, codecArgs: X264, melodySeed })),
);
console.error(`[analysis] videos ready in ${dir} (${((Date.now() - generateStarted) / 1000).toFixed(0)} s)`);

// 2. A catalog of stored videos to match against (synthetic fingerprints, bulk-imported).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
await importSyntheticCatalog(pool, rng, catalogSize);

/** Records when the first duplicate verdict is written. */
const verdicts = { firstAt: undefined as number | undefined };
const timingVerdicts = (jobs: JobClaims): JobClaims => ({
  async claim(...args) {
    const claim = await jobs.claim(...args);
    if (claim.outcome !== "claimed") return claim;
    const { job } = claim;
    const saveMatches = job.saveMatches.bind(job);
    job.saveMatches = async (matches) => {
      await saveMatches(matches);
      if (matches.length > 0) verdicts.firstAt ??= performance.now();
    };
    return claim;
  },
});
const db = createDb({ url: databaseUrl, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 });
const files = new Map<string, string>([
  ...SPECS.flatMap(
    (s) =>
      [
        [s.name, path.join(dir, `${s.name}.mp4`)],
        [`${s.name}-copy`, path.join(dir, `${s.name}-copy.mp4`)],
      ] as [string, string][],
  ),
  ...shortFiles.map((f) => [path.basename(f), f] as [string, string]),
]);
const objects = await LocalFileStore.create(files);
const depsFor = (decoderThreads?: number): IngestDeps => benchIngest(db, objects, { decoderThreads, jobs: timingVerdicts });
const deps = depsFor();
const signal = new AbortController().signal;
let uploads = 0;

/** Analyses `file` as a new upload under a fresh key; returns the key and the seconds it took. */
async function analyse(file: string, d: IngestDeps = deps): Promise<{ key: string; sec: number; firstVerdictSec: number | undefined }> {
  const key = `${file}#${(uploads += 1)}`;
  objects.alias(key, file);
  verdicts.firstAt = undefined;
  const started = performance.now();
  const outcome = await analyzeObject(
    d,
    { bucket: "bench", key, size: undefined, etag: undefined, eventTime: undefined, sequencer: undefined },
    "bench",
    signal,
  );
  if (outcome !== "done") throw new Error(`${key}: ${outcome}`);
  const firstVerdictSec = verdicts.firstAt === undefined ? undefined : (verdicts.firstAt - started) / 1000;
  return { key, sec: (performance.now() - started) / 1000, firstVerdictSec };
}

async function plainDecodeSec(file: string): Promise<number> {
  const started = performance.now();
  const child = spawn(FFMPEG, ["-nostdin", "-v", "error", "-i", file, "-an", "-f", "null", "-"], { stdio: "ignore" });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`plain decode of ${file} exited with ${code}`);
  return (performance.now() - started) / 1000;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// 3. Floor against full analysis, interleaved so that both see the same machine.
interface Row {
  spec: Spec;
  floor: number;
  analysis: number;
  verdictSec: number | undefined;
  copySec: number;
  shareRange: [number, number];
  identicalMs: number;
}
const rows: Row[] = [];
for (const spec of SPECS) {
  const file = path.join(dir, `${spec.name}.mp4`);
  const floors: number[] = [];
  const analyses: number[] = [];
  let stored = "";
  for (let run = 0; run < runs; run += 1) {
    floors.push(await plainDecodeSec(file));
    // The previous run's row goes first: stored bytes would be answered as identical.
    if (stored) await forgetUpload(pool, stored);
    const { key, sec } = await analyse(spec.name);
    analyses.push(sec);
    stored = key;
    console.error(`[analysis] ${spec.name} run ${run + 1}: floor ${floors.at(-1)!.toFixed(2)} s, analysis ${sec.toFixed(2)} s`);
  }
  // The last run stays stored: its re-encoded copy and a byte-identical re-upload follow,
  // each `copyRuns` times (a copy's analysis is short, so one run is mostly noise).
  const copies: { sec: number; firstVerdictSec: number | undefined }[] = [];
  const identicals: number[] = [];
  for (let run = 0; run < copyRuns; run += 1) {
    const copy = await analyse(`${spec.name}-copy`);
    const identical = await analyse(spec.name);
    copies.push(copy);
    identicals.push(identical.sec * 1000);
    await forgetUpload(pool, copy.key);
    await forgetUpload(pool, identical.key);
  }
  // The run with the median share, so that the printed pair belongs together.
  const share = (c: (typeof copies)[number]) => (c.firstVerdictSec ?? Infinity) / c.sec;
  const byShare = [...copies].sort((a, b) => share(a) - share(b));
  const copy = byShare[Math.floor(copies.length / 2)]!;
  const shareRange: [number, number] = [share(byShare[0]!), share(byShare.at(-1)!)];
  rows.push({
    spec,
    floor: median(floors),
    analysis: median(analyses),
    verdictSec: copy.firstVerdictSec,
    copySec: copy.sec,
    shareRange,
    identicalMs: median(identicals),
  });
}

// 4. Throughput on short videos at concurrency 1 and N, and how busy the cores were meanwhile.
interface Throughput {
  perMinute: number;
  cpuBusy: number | undefined;
}
async function throughput(n: number, d: IngestDeps = deps): Promise<Throughput> {
  const keys: string[] = [];
  const started = performance.now();
  const cpuBusy = measureCpuBusy();
  await runAll(shortFiles, n, async (file) => {
    keys.push((await analyse(path.basename(file), d)).key);
  });
  const minutes = (performance.now() - started) / 60_000;
  const busy = cpuBusy();
  for (const key of keys) await forgetUpload(pool, key);
  return { perMinute: shortFiles.length / minutes, cpuBusy: busy };
}
const default1 = await throughput(1);
const defaultN = await throughput(concurrency);
// The same, with the cores shared out: each ffmpeg gets cores / N decoder threads, not ffmpeg's
// own cores + 1. At concurrency 1 too, so that the scaling with N is measured like for like.
const sharedThreads = Math.max(1, Math.floor(os.cpus().length / concurrency));
const shared1 = await throughput(1, depsFor(sharedThreads));
const sharedN = await throughput(concurrency, depsFor(sharedThreads));

await db.$disconnect();
await pool.end();

const pad = (text: string | number, n: number) => String(text).padStart(n);
console.log(
  `\nanalysis benchmark — H.264 (x264 veryfast, B-frames), catalog of ${catalogSize} stored videos, median of ${runs} runs, ${os.cpus().length} cores, ffmpeg at niceness ${benchNiceness} (ANALYSIS_NICENESS)\n`,
);
console.log(`video            length   plain decode   full analysis   ratio   realtime`);
for (const { spec, floor, analysis } of rows) {
  console.log(
    `${`${spec.name} ${spec.fps} fps`.padEnd(16)} ${pad(`${spec.durationSec} s`, 6)}   ${pad(floor.toFixed(2), 10)} s   ${pad(analysis.toFixed(2), 11)} s   ${pad((analysis / floor).toFixed(2), 5)}   ${pad((spec.durationSec / analysis).toFixed(1), 6)}×`,
  );
}
console.log(
  `\nearly answers     re-encoded copy: first verdict / its full analysis (median of ${copyRuns}; range)   byte-identical re-upload`,
);
const percent = (share: number) => (Number.isFinite(share) ? `${(100 * share).toFixed(0)} %` : "none");
for (const { spec, verdictSec, copySec, shareRange, identicalMs } of rows) {
  const verdict =
    verdictSec === undefined
      ? "no verdict"
      : `${verdictSec.toFixed(2)} s / ${copySec.toFixed(2)} s = ${percent(verdictSec / copySec)} (${percent(shareRange[0])}–${percent(shareRange[1])})`;
  console.log(`${spec.name.padEnd(16)}  ${verdict.padEnd(52)}  ${identicalMs.toFixed(0)} ms`);
}
const cpu = (t: Throughput) => (t.cpuBusy === undefined ? "" : ` (CPU ${(100 * t.cpuBusy).toFixed(0)} %)`);
const scaling = (one: Throughput, n: Throughput) =>
  `concurrency 1: ${pad(one.perMinute.toFixed(1), 6)}${cpu(one)}   concurrency ${concurrency}: ${pad(n.perMinute.toFixed(1), 6)}${cpu(n)}   ×${(n.perMinute / one.perMinute).toFixed(2)}`;
console.log(
  `\nthroughput        ${shortCount} videos of 10 s (640×360, with sound), videos/minute; CPU: how busy all ${os.cpus().length} cores were meanwhile`,
);
console.log(`  ffmpeg's own decoder threads (default)                 ${scaling(default1, defaultN)}`);
console.log(`  ${sharedThreads} decoder thread(s) each (ANALYSIS_DECODER_THREADS=${sharedThreads})      ${scaling(shared1, sharedN)}`);
