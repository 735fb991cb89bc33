/** Small helpers the benchmark scripts share. */
import os from "node:os";
import type { AnalysisLimits } from "../../src/ingest/analyze-object.js";
import { DEFAULT_MEDIA_CAPS } from "../../src/media/probe.js";

/** The fresh, migrated database that `scripts/bench.sh <name>` creates for a benchmark. */
export function benchDatabaseUrl(name: string): string {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error(`BENCH_DATABASE_URL is not set: run through \`npm run bench:${name}\``);
  return url;
}

/** The analysis limits of benchmarks that call analyzeObject directly: generous timeouts. */
export function benchLimits(decoderThreads = 0, decodeSegments = Number(process.env.ANALYSIS_DECODE_SEGMENTS ?? 2)): AnalysisLimits {
  return {
    ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
    ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
    maxObjectBytes: 5 * 1024 ** 3,
    media: DEFAULT_MEDIA_CAPS,
    probeTimeoutMs: 30_000,
    timeoutBaseMs: 60_000,
    timeoutPerSecMs: 5_000,
    timeoutMaxMs: 30 * 60_000,
    tmpDir: os.tmpdir(),
    decoderThreads,
    decodeSegments,
  };
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function runAll<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** The p-th percentile of ascending values (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
