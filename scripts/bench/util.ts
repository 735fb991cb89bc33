/** Small helpers the benchmark scripts share. */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rename } from "node:fs/promises";
import { promisify } from "node:util";
import type pg from "pg";
import { loadConfig } from "../../src/config.js";
import { encodeSignature, indexEntries } from "../../src/fingerprint/signature.js";
import { FingerprintImporter } from "../../src/store/fingerprint-import.js";
import { pino } from "pino";
import type { IngestDeps } from "../../src/ingest/analyze-object.js";
import type { JobClaims } from "../../src/ingest/ports.js";
import { FfmpegAnalyzer, type AnalysisLimits } from "../../src/media/ffmpeg-analyzer.js";
import type { ProcessGuard } from "../../src/media/process-guard.js";
import type { ObjectStore } from "../../src/objects/object-store.js";
import { analysisLimits, mediaGuard } from "../../src/wiring.js";
import { FingerprintStore } from "../../src/store/fingerprint-store.js";
import { FrameIndex } from "../../src/store/frame-index.js";
import { JobStore } from "../../src/store/job-store.js";
import type { Db } from "../../src/store/prisma.js";
import { syntheticSignature } from "./synthetic.js";

/** Benchmarks run what the service runs: its configuration, from the environment or the defaults. */
const config = loadConfig();

/** The fresh, migrated database that `scripts/bench.sh <name>` creates for a benchmark. */
export function benchDatabaseUrl(name: string): string {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error(`BENCH_DATABASE_URL is not set: run through \`npm run bench:${name}\``);
  return url;
}

/**
 * The service's analysis limits, for benchmarks that call analyzeObject directly, with
 * generous timeouts (a loaded machine must not turn a measurement into a failure).
 */
export function benchLimits(decoderThreads = config.ANALYSIS_DECODER_THREADS): AnalysisLimits {
  return { ...analysisLimits(config), timeoutBaseMs: 60_000, timeoutPerSecMs: 5_000, timeoutMaxMs: 30 * 60_000, decoderThreads };
}

/** The service's process guard: ffmpeg at its niceness (ANALYSIS_NICENESS). */
export function benchGuard(): ProcessGuard {
  return mediaGuard(config);
}

export const benchNiceness = config.ANALYSIS_NICENESS;

export interface BenchIngestOptions {
  readonly guard?: ProcessGuard;
  readonly decoderThreads?: number;
  readonly log?: IngestDeps["log"];
  /** Wraps the job store (to time its calls). */
  readonly jobs?: (jobs: JobClaims) => JobClaims;
  /** Wraps the fingerprint stores (to time their calls). */
  readonly fingerprints?: (stores: Pick<IngestDeps, "identical" | "index">) => Pick<IngestDeps, "identical" | "index">;
}

/** The service's ingest, wired as src/service.ts wires it, over the benchmark's database and objects. */
export function benchIngest(db: Db, objects: ObjectStore, options: BenchIngestOptions = {}): IngestDeps {
  const stores = { identical: new FingerprintStore(db), index: new FrameIndex(db) };
  const fingerprints = options.fingerprints ? options.fingerprints(stores) : stores;
  const jobs = new JobStore(db);
  return {
    jobs: options.jobs ? options.jobs(jobs) : jobs,
    ...fingerprints,
    objects,
    media: new FfmpegAnalyzer(options.guard ?? benchGuard(), benchLimits(options.decoderThreads)),
    maxObjectBytes: config.MAX_OBJECT_BYTES,
    storeCentreStrips: config.INDEX_CENTRE_STRIPS,
    tmpDir: config.TMP_DIR,
    leaseMs: 60_000,
    log: options.log ?? pino({ level: "warn" }),
  };
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function runAll<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The p-th percentile of ascending values (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Bulk-imports `size` stored videos with synthetic fingerprints (30–180 s), to match against. */
export async function importSyntheticCatalog(pool: pg.Pool, rng: () => number, size: number): Promise<void> {
  const catalog = Array.from({ length: size }, (_, i) => {
    const durationSec = Math.round(30 + rng() * 150);
    const signature = syntheticSignature(rng, durationSec);
    return { key: `catalog/${i}.mp4`, durationSec, signature: encodeSignature(signature), entries: indexEntries(signature) };
  });
  await new FingerprintImporter(pool).import("bench", catalog);
  await pool.query("VACUUM ANALYZE frame_index");
}

/** Removes an analysed upload, so the next run of the same bytes is a full analysis again. */
export async function forgetUpload(pool: pg.Pool, key: string): Promise<void> {
  await pool.query("DELETE FROM frame_index WHERE video_num = (SELECT num FROM video WHERE bucket = 'bench' AND key = $1)", [key]);
  await pool.query("DELETE FROM video WHERE bucket = 'bench' AND key = $1", [key]);
}

/**
 * How busy the machine's CPUs are (all processes: the benchmark, ffmpeg, PostgreSQL) from now
 * until the returned function is called: 0–1 of all cores. Undefined without /proc/stat.
 */
export function measureCpuBusy(): () => number | undefined {
  const read = (): { busy: number; total: number } | undefined => {
    try {
      // cpu  user nice system idle iowait irq softirq steal …
      const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
      const idle = ticks[3]! + ticks[4]!;
      const total = ticks.reduce((a, b) => a + b, 0);
      return { busy: total - idle, total };
    } catch {
      return undefined;
    }
  };
  const start = read();
  return () => {
    const end = read();
    if (!start || !end || end.total === start.total) return undefined;
    return (end.busy - start.busy) / (end.total - start.total);
  };
}

/**
 * Makes `file` unless it exists: written under a ".part" name and renamed when complete, so
 * an interrupted build resumes where it stopped and never keeps a half-written video.
 */
export async function produce(file: string, make: (path: string) => Promise<void>): Promise<void> {
  if (existsSync(file)) return;
  const partial = file.replace(/(\.\w+)$/, ".part$1");
  await make(partial);
  await rename(partial, file);
}

const run = promisify(execFile);

/** ffmpeg, quiet, writing `out` over any file there. */
export async function ffmpegTo(out: string, args: readonly string[]): Promise<void> {
  await run(process.env.FFMPEG_PATH ?? "ffmpeg", ["-v", "error", "-y", ...args, out], { maxBuffer: 1 << 24 });
}

/** The generated videos' H.264 encoding. */
export const X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"];
