/**
 * npm run bench:load — uploads BENCH_LOAD_VIDEOS (200) short generated videos at once to a
 * private moto, with the real service running as its own process at default concurrency,
 * and reports: videos/minute, p50/p95 time from upload to terminal status, the service's
 * peak RSS, that every key reached a terminal status exactly once, that the queue and the
 * dead-letter queue end empty, and GET /status/:file latency under 200 concurrent
 * connections (autocannon) while the videos are being analysed.
 *   BENCH_LOAD_VIDEOS (200), BENCH_LOAD_CONNECTIONS (200), BENCH_LOAD_STATUS_SEC (20)
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { queueDepth } from "../lib/bootstrap.js";
import { renderScenes } from "../lib/media-fixtures.js";
import { createDb } from "../../src/store/prisma.js";
import { benchStackEnv, provisionBenchBucket, startBenchService } from "./service-process.js";
import { percentile, runAll } from "./util.js";

const count = Number(process.env.BENCH_LOAD_VIDEOS ?? 200);
const connections = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 200);
const statusSec = Number(process.env.BENCH_LOAD_STATUS_SEC ?? 20);
const { endpoint, databaseUrl } = benchStackEnv("load");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// 1. The videos: short, distinct, cached between runs.
const corpusDir = path.resolve(".run", "bench-load", `v1-${count}`);
await mkdir(corpusDir, { recursive: true });
const files = Array.from({ length: count }, (_, i) => path.join(corpusDir, `clip-${String(i).padStart(3, "0")}.mp4`));
const generateStarted = Date.now();
await runAll(files, os.cpus().length, async (file) => {
  if (existsSync(file)) return;
  const i = Number(path.basename(file).slice(5, 8));
  await renderScenes(
    `${file}.part.mp4`,
    [
      { source: `life=seed=${i + 1}:mold=10:ratio=0.1`, durationSec: 2 + (i % 3) },
      { source: `cellauto=rule=${[30, 90, 110, 150][i % 4]}:random_seed=${i + 1}`, durationSec: 2 },
    ],
    { width: 320, height: 180 },
  );
  await rename(`${file}.part.mp4`, file);
});
console.error(`[load] ${count} videos ready in ${corpusDir} (${((Date.now() - generateStarted) / 1000).toFixed(0)} s)`);

// 2. Bucket, queue and notification, then the service as its own process.
const { s3, sqs, bucket, queueName } = await provisionBenchBucket(endpoint, "load");

const service = await startBenchService({ endpoint, databaseUrl, bucket, queueName, logName: "bench-load-service" });
const { baseUrl } = service;

// 3. Upload everything at once (20 PUTs in flight), then watch the database.
const keys = files.map((f) => `load/${path.basename(f)}`);
const uploadedAt = new Map<string, number>();
const started = Date.now();
await runAll(keys, 20, async (key) => {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(path.join(corpusDir, path.basename(key))) }));
  uploadedAt.set(key, Date.now());
});
console.error(`[load] ${count} uploads in ${((Date.now() - started) / 1000).toFixed(1)} s; analysing…`);

// 4. While it analyses: GET /status/:file at `connections` concurrent connections.
const statusRun = autocannon({
  url: baseUrl,
  connections,
  duration: statusSec,
  requests: keys.map((key) => ({ method: "GET", path: `/status/${encodeURIComponent(key)}` })),
});

const db = createDb({ url: databaseUrl, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 30000 });
interface Row {
  key: string;
  status: string;
  attempts: number;
  finished_at: Date | null;
}
let rows: Row[] = [];
const deadline = Date.now() + 30 * 60_000;
while (Date.now() < deadline) {
  rows = await db.$queryRaw<Row[]>`
    SELECT v.key, j.status::text AS status, j.attempts, j.finished_at FROM video v JOIN job j ON j.video_id = v.id
    WHERE v.bucket = ${bucket} AND j.status IN ('done', 'failed')`;
  if (rows.length >= count) break;
  await sleep(250);
}
const finishedAt = Date.now();
const status = await statusRun;

// 5. Settle: the queue and the dead-letter queue should drain to empty.
let queueLeft = -1;
for (let i = 0; i < 40 && queueLeft !== 0; i += 1) {
  queueLeft = await queueDepth(sqs, queueName);
  if (queueLeft !== 0) await sleep(250);
}
const deadLetterLeft = await queueDepth(sqs, `${queueName}-dlq`);
const [tally] = await db.$queryRaw<{ videos: bigint; stuck: bigint }[]>`
  SELECT count(*) AS videos, count(*) FILTER (WHERE j.status IS NULL OR j.status IN ('pending', 'analyzing')) AS stuck
  FROM video v LEFT JOIN job j ON j.video_id = v.id WHERE v.bucket = ${bucket}`;
const videos = Number(tally?.videos ?? 0);
const stuck = Number(tally?.stuck ?? 0);
await db.$disconnect();
const peakRssMb = service.peakRssMb();
await service.stop();
s3.destroy();
sqs.destroy();

const latencies = rows
  .flatMap((r) => (r.finished_at && uploadedAt.has(r.key) ? [(r.finished_at.getTime() - uploadedAt.get(r.key)!) / 1000] : []))
  .sort((a, b) => a - b);
const wallMin = (finishedAt - started) / 60_000;
const terminalOnce = rows.filter((r) => r.attempts === 1).length;
const failed = rows.filter((r) => r.status === "failed").length;
const lost = count - videos;
console.log(
  `load benchmark — ${count} short videos (4–6 s, 320×180) uploaded at once; service at default concurrency (${os.cpus().length})\n`,
);
console.log(
  `throughput              ${(rows.length / wallMin).toFixed(1)} videos/minute (${((finishedAt - started) / 1000).toFixed(1)} s from first upload to last terminal status)`,
);
console.log(`upload → terminal       p50 ${percentile(latencies, 50).toFixed(1)} s   p95 ${percentile(latencies, 95).toFixed(1)} s`);
console.log(`service peak RSS        ${peakRssMb.toFixed(0)} MB (the Node process; ffmpeg children are separate processes)`);
console.log(
  `terminal statuses       ${rows.length}/${count} (${failed} failed); analysed exactly once: ${terminalOnce}/${count}; video rows: ${videos}`,
);
console.log(`lost / stuck            ${lost} / ${stuck}`);
console.log(`queue / DLQ at the end  ${queueLeft} / ${deadLetterLeft}`);
console.log(
  `GET /status/:file       ${connections} connections for ${statusSec} s during the run: ${status.requests.total} requests, ${status.non2xx} non-2xx, ${status.errors} errors`,
);
console.log(
  `                        latency p50 ${status.latency.p50} ms   p99 ${status.latency.p99} ms   max ${status.latency.max} ms   (${status.requests.average.toFixed(0)} req/s)`,
);
if (lost > 0 || stuck > 0 || terminalOnce < count || queueLeft !== 0 || deadLetterLeft !== 0) process.exitCode = 1;
