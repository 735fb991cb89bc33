/**
 * npm run bench:memory — the service's memory while it analyses a 2 GB video, and the time
 * to answer a byte-identical re-upload of it. Generates the file (a high-bitrate 1080p clip
 * with grain, repeated by stream copy up to BENCH_MEMORY_GB), uploads it to a private moto
 * as the upload CLI does (multipart, 16 MB parts), runs the built service as its own process,
 * and samples its resident memory every 100 ms until the status is terminal.
 *   BENCH_MEMORY_GB (2)
 */
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, stat } from "node:fs/promises";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { Upload } from "@aws-sdk/lib-storage";
import { benchStackEnv, provisionBenchBucket, startBenchService } from "./service-process.js";

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const targetBytes = Number(process.env.BENCH_MEMORY_GB ?? 2) * 1024 ** 3;
const { endpoint, databaseUrl } = benchStackEnv("memory");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// 1. The file: 30 s of 1080p with grain (about 60 Mbit/s), repeated without re-encoding.
const dir = path.resolve(".run", "bench-memory", "v1");
await mkdir(dir, { recursive: true });
const clip = path.join(dir, "clip.mp4");
if (!existsSync(clip)) {
  const graph =
    "testsrc2=size=1920x1080:rate=30,trim=duration=10,setpts=PTS-STARTPTS[a];mandelbrot=size=640x360:rate=30,trim=duration=10,setpts=PTS-STARTPTS,scale=1920:1080[b];life=size=640x360:rate=30:mold=10:ratio=0.2,trim=duration=10,setpts=PTS-STARTPTS,scale=1920:1080,format=yuv420p[c];[a][b][c]concat=n=3:v=1:a=0,noise=alls=8:allf=t,format=yuv420p[v]";
  await run(FFMPEG, [
    "-v",
    "error",
    "-y",
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "18",
    `${clip}.part.mp4`,
  ]);
  await rename(`${clip}.part.mp4`, clip);
}
const loops = Math.ceil(targetBytes / (await stat(clip)).size);
const big = path.join(dir, `big-${loops}.mp4`);
if (!existsSync(big)) {
  await run(FFMPEG, ["-v", "error", "-y", "-stream_loop", String(loops - 1), "-i", clip, "-c", "copy", `${big}.part.mp4`]);
  await rename(`${big}.part.mp4`, big);
}
const sizeBytes = (await stat(big)).size;
console.error(`[memory] ${big}: ${(sizeBytes / 1024 ** 3).toFixed(2)} GB`);

// 2. Bucket, queue, notification and the service.
const { s3, sqs, bucket, queueName } = await provisionBenchBucket(endpoint, "memory");
const service = await startBenchService({ endpoint, databaseUrl, bucket, queueName, logName: "bench-memory-service" });
await sleep(500); // a few samples of the idle service
const idleRssMb = service.peakRssMb();

async function upload(key: string): Promise<number> {
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(big) },
    partSize: 16 * 1024 * 1024,
    queueSize: 4,
  }).done();
  return performance.now();
}

interface Snapshot {
  status: string;
  durationSec?: number;
  error?: { code: string };
  duplicates?: { kind: string }[];
}
async function waitTerminal(key: string, pollMs: number): Promise<{ snapshot: Snapshot; at: number }> {
  for (;;) {
    const response = await fetch(`${service.baseUrl}/status/${encodeURIComponent(key)}`);
    if (response.ok) {
      const snapshot = (await response.json()) as Snapshot;
      if (snapshot.status === "done" || snapshot.status === "failed") return { snapshot, at: performance.now() };
    }
    await sleep(pollMs);
  }
}

// 3. The 2 GB video, analysed while the service's memory is sampled.
const uploadStarted = performance.now();
const uploaded = await upload("big/original.mp4");
console.error(`[memory] uploaded in ${((uploaded - uploadStarted) / 1000).toFixed(1)} s; analysing…`);
const original = await waitTerminal("big/original.mp4", 500);
const peakMb = service.peakRssMb();
const peakTreeMb = service.peakTreeRssMb();

// 4. The same bytes again, under another key, uploaded the same way (so the same ETag).
const reuploaded = await upload("big/again.mp4");
const again = await waitTerminal("big/again.mp4", 20);
// The job's own timestamps: claimed (the message just received) and finished.
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
const { rows } = await pool.query<{ started_at: Date; finished_at: Date }>(
  "SELECT j.started_at, j.finished_at FROM job j JOIN video v ON v.id = j.video_id WHERE v.bucket = $1 AND v.key = $2",
  [bucket, "big/again.mp4"],
);
await pool.end();
const answerMs = rows[0] ? rows[0].finished_at.getTime() - rows[0].started_at.getTime() : NaN;
await service.stop();
s3.destroy();
sqs.destroy();

console.log(
  `\nmemory benchmark — one ${(sizeBytes / 1024 ** 3).toFixed(2)} GB video (1080p H.264, ${original.snapshot.durationSec?.toFixed(0) ?? "?"} s) through moto and the built service\n`,
);
console.log(
  `analysis                 ${original.snapshot.status}${original.snapshot.error ? ` ${original.snapshot.error.code}` : ""}, ${((original.at - uploaded) / 1000).toFixed(1)} s from upload to terminal status`,
);
console.log(`service RSS              idle ${idleRssMb.toFixed(0)} MB, peak ${peakMb.toFixed(0)} MB (the Node process)`);
console.log(`with ffprobe/ffmpeg      peak ${peakTreeMb.toFixed(0)} MB (the Node process and its child processes, summed per sample)`);
console.log(
  `byte-identical re-upload ${again.snapshot.status}, ${again.snapshot.duplicates?.[0]?.kind ?? "no duplicate"}, ${answerMs} ms from the message's receipt to done (job started → finished); ${((again.at - reuploaded) / 1000).toFixed(2)} s from upload to the status saying so`,
);
if (original.snapshot.status !== "done" || again.snapshot.duplicates?.[0]?.kind !== "identical") process.exitCode = 1;
