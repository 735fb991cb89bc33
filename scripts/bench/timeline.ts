/**
 * npm run bench:timeline — where the time of one analysis goes. Analyses bench:analysis's
 * video at one resolution (stored, as the original), then its re-encoded copy BENCH_RUNS
 * times, printing for each copy a timeline from the start of the job: every database call;
 * each ffprobe/ffmpeg start, first output and end; when each decode segment has delivered the
 * samples the first early check waits for; and the log lines (the early verdict among them).
 * Run bench:analysis once first: it makes the videos.
 *   BENCH_SPEC (720p: 1080p, 720p or 360p), BENCH_RUNS (3), BENCH_CATALOG (1000),
 *   BENCH_ORIGINAL_RUNS (1: analyses of the original, each timed and printed)
 */
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { pino } from "pino";
import { analyzeObject } from "../../src/ingest/analyze-object.js";
import { EARLY_CHECKPOINTS_SEC } from "../../src/ingest/early-matcher.js";
import type { JobClaims } from "../../src/ingest/ports.js";
import type { GuardedRunOptions, GuardedRunResult } from "../../src/media/process-guard.js";
import { FRAME_SIZE } from "../../src/fingerprint/frame-hash.js";
import { SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import { createDb } from "../../src/store/prisma.js";
import { mulberry32 } from "./random-scenes.js";
import { LocalFileStore } from "./local-store.js";
import { benchDatabaseUrl, benchGuard, benchIngest, forgetUpload, importSyntheticCatalog } from "./util.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const spec = process.env.BENCH_SPEC ?? "720p";
const runs = env("BENCH_RUNS", 3);
const originalRuns = env("BENCH_ORIGINAL_RUNS", 1);
const databaseUrl = benchDatabaseUrl("timeline");
const dir = path.resolve(".run", "bench-analysis", "v1");
const original = path.join(dir, `${spec}.mp4`);
const copy = path.join(dir, `${spec}-copy.mp4`);
if (!existsSync(original) || !existsSync(copy)) throw new Error(`${original} or its copy is missing: run \`npm run bench:analysis\` first`);
/** The samples (from the first segment) that the first early-verdict check waits for. */
const FIRST_CHECK_SEC = EARLY_CHECKPOINTS_SEC[0]!;
const FIRST_CHECK_BYTES = FIRST_CHECK_SEC * SAMPLE_RATE * FRAME_SIZE * FRAME_SIZE;

const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
await importSyntheticCatalog(pool, mulberry32(5), env("BENCH_CATALOG", 1000));

let startedAt: number | undefined;
const mark = (what: string) => {
  if (startedAt !== undefined) console.log(`${(performance.now() - startedAt).toFixed(1).padStart(8)} ms  ${what}`);
};

/** A store, with each call's start and end on the timeline. */
function traced<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        mark(`db ${String(property)}`);
        const result: unknown = await value.apply(object, args);
        mark(`db ${String(property)} done`);
        return result;
      };
    },
  });
}
/** The job store, and every job it hands out, traced. */
const tracedJobs = (jobs: JobClaims): JobClaims => ({
  async claim(...args) {
    mark("db claim");
    const claim = await jobs.claim(...args);
    mark("db claim done");
    return claim.outcome === "claimed" ? { ...claim, job: traced(claim.job) } : claim;
  },
});

/** The service's guard, with each child's start, first output and exit on the timeline. */
const guard = benchGuard();
const run = guard.run.bind(guard);
guard.run = (options: GuardedRunOptions): Promise<GuardedRunResult> => {
  const name = `${path.basename(options.command)}${options.args.includes("-ss") ? " (later segment)" : ""}`;
  mark(`${name} spawned`);
  let stdoutBytes = 0;
  let stderrSeen = false;
  const { onStdoutChunk } = options;
  return run({
    ...options,
    onStdoutChunk:
      onStdoutChunk &&
      ((chunk) => {
        if (stdoutBytes === 0) mark(`${name} first samples`);
        if (stdoutBytes < FIRST_CHECK_BYTES && stdoutBytes + chunk.length >= FIRST_CHECK_BYTES)
          mark(`${name} ${FIRST_CHECK_SEC} s of samples`);
        stdoutBytes += chunk.length;
        onStdoutChunk(chunk);
      }),
    onStderrLine: (line) => {
      if (!stderrSeen) mark(`${name} first stderr line`);
      stderrSeen = true;
      options.onStderrLine?.(line);
    },
  }).then((result) => {
    mark(`${name} ended: ${result.outcome}`);
    return result;
  });
};

const log = pino(
  {
    level: "info",
    hooks: {
      logMethod(args, method) {
        mark(`log: ${String(args.at(-1))}`);
        method.apply(this, args);
      },
    },
  },
  pino.destination("/dev/null"),
);
const objects = await LocalFileStore.create(
  new Map([
    ["original", original],
    ["copy", copy],
  ]),
);
const db = createDb({ url: databaseUrl, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 });
const deps = benchIngest(db, objects, {
  guard,
  log,
  jobs: tracedJobs,
  fingerprints: (stores) => ({ identical: traced(stores.identical), index: traced(stores.index) }),
});
const signal = new AbortController().signal;
const analyse = async (key: string) => {
  const outcome = await analyzeObject(
    deps,
    { bucket: "bench", key, size: undefined, etag: undefined, eventTime: undefined, sequencer: undefined },
    "bench",
    signal,
  );
  if (outcome !== "done") throw new Error(`${key}: ${outcome}`);
};

for (let k = 0; k < originalRuns; k += 1) {
  const key = `original#${k}`;
  objects.alias(key, "original");
  const started = performance.now();
  await analyse(key);
  console.log(`original ${spec}: full analysis ${((performance.now() - started) / 1000).toFixed(2)} s`);
  if (k + 1 < originalRuns) await forgetUpload(pool, key);
}
for (let k = 0; k < runs; k += 1) {
  const key = `copy#${k}`;
  objects.alias(key, "copy");
  console.log(`\nre-encoded copy of ${spec}, run ${k + 1}`);
  startedAt = performance.now();
  await analyse(key);
  startedAt = undefined;
  await forgetUpload(pool, key);
}
await pool.end();
process.exit(0);
