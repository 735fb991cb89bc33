/**
 * npm run bench:popular — popular content: one short video and BENCH_POPULAR_COPIES (300)
 * re-encoded copies of it (x264 at CRF 18–38, 144p–432p, 20–30 fps, some with the head
 * trimmed by up to a second), uploaded to a private moto BENCH_POPULAR_BATCH (10) at a time,
 * analysed by the real service as its own process. It reports whether every copy was found
 * (as a whole copy of a member of the original's group), the group's size and id, the size of
 * the original's snapshot as copies pile up, a walk through GET /duplicates/{file}, the index
 * rows the footage holds, and status and page latency.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes, transcode } from "../lib/media-fixtures.js";
import { mulberry32 } from "./random-scenes.js";
import { createDb } from "../../src/store/prisma.js";
import type { DuplicatesPage, StatusSnapshot } from "../../src/status/snapshot.js";
import { benchStackEnv, provisionBenchBucket, startBenchService } from "./service-process.js";
import { percentile, runAll } from "./util.js";

const count = Number(process.env.BENCH_POPULAR_COPIES ?? 300);
const batch = Number(process.env.BENCH_POPULAR_BATCH ?? 10);
const { endpoint, databaseUrl } = benchStackEnv("popular");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// 1. The original (12 s, a few scenes) and its copies, cached between runs.
// Copy i is the same file whatever the count: a smaller run reuses the first copies of a larger one.
const dir = path.resolve(".run", "bench-popular", "v2");
await mkdir(dir, { recursive: true });
const rng = mulberry32(20261129);
const originalFile = path.join(dir, "original.mp4");
// Footage that moves as filmed footage does (a zoom, a pan over a pattern, slow gradients), not
// ffmpeg's cellular automata, whose every frame is new: no frame-rate change keeps a picture of those.
const SCENES = [
  { source: "mandelbrot=start_scale=1.6:start_x=-0.7436:start_y=0.1318:end_pts=300", durationSec: 4 },
  { source: "testsrc2", filters: "trim=start=6,setpts=PTS-STARTPTS,crop=400:226:90:60,scale=640:360,hue=h=140", durationSec: 4 },
  { source: "gradients=seed=12:n=5:speed=0.03:c0=0x1d2b53:c1=0xffa300:c2=0x29adff", durationSec: 4 },
];
if (!existsSync(originalFile)) {
  await renderScenes(`${originalFile}.part.mp4`, SCENES, { width: 640, height: 360, fps: 25, crf: 18 });
  await rename(`${originalFile}.part.mp4`, originalFile);
}
const HEIGHTS = [144, 180, 240, 270, 360, 432];
const copies = Array.from({ length: count }, (_, i) => {
  const height = HEIGHTS[Math.floor(rng() * HEIGHTS.length)]!;
  const crf = 18 + Math.floor(rng() * 21);
  const fps = [20, 24, 25, 30][Math.floor(rng() * 4)]!;
  const trimSec = rng() < 0.3 ? Math.round(rng() * 10) / 10 : 0;
  const file = path.join(dir, `copy-${String(i).padStart(3, "0")}.mp4`);
  // prettier-ignore
  const args = [...(trimSec > 0 ? ["-ss", String(trimSec)] : []), "-vf", `scale=-2:${height}`, "-r", String(fps),
    "-c:v", "libx264", "-preset", "veryfast", "-crf", String(crf)];
  return { key: `copies/${path.basename(file)}`, file, args, label: `${height}p crf ${crf} ${fps} fps${trimSec ? ` −${trimSec} s` : ""}` };
});
const generateStarted = Date.now();
await runAll(copies, os.cpus().length, async (copy) => {
  if (existsSync(copy.file)) return;
  await transcode(originalFile, `${copy.file}.part.mp4`, copy.args);
  await rename(`${copy.file}.part.mp4`, copy.file);
});
console.error(`[popular] original and ${count} copies ready in ${dir} (${((Date.now() - generateStarted) / 1000).toFixed(0)} s)`);

// 2. The stack: bucket, queue, the service.
const { s3, sqs, bucket, queueName } = await provisionBenchBucket(endpoint, "popular");
const service = await startBenchService({ endpoint, databaseUrl, bucket, queueName, logName: "bench-popular-service" });
const { baseUrl } = service;
const getJson = async <T>(url: string): Promise<{ body: T; bytes: number; ms: number }> => {
  const started = performance.now();
  const answer = await fetch(url);
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${url}: ${answer.status} ${text}`);
  return { body: JSON.parse(text) as T, bytes: Buffer.byteLength(text), ms: performance.now() - started };
};
const statusOf = (key: string) => getJson<StatusSnapshot>(`${baseUrl}/status/${encodeURIComponent(key)}`);
const upload = async (key: string, file: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
async function terminal(key: string): Promise<StatusSnapshot> {
  for (const deadline = Date.now() + 10 * 60_000; Date.now() < deadline; await sleep(200)) {
    const answer = await fetch(`${baseUrl}/status/${encodeURIComponent(key)}`);
    if (answer.ok) {
      const snapshot = (await answer.json()) as StatusSnapshot;
      if (snapshot.status === "done" || snapshot.status === "failed") return snapshot;
    }
  }
  throw new Error(`no terminal status for ${key} in 10 minutes`);
}

// 3. The original, then the copies a batch at a time; after each 50, the original's snapshot.
await upload("original.mp4", originalFile);
await terminal("original.mp4");
const found = new Map<string, StatusSnapshot>();
const growth: { copies: number; listed: number; count: number; bytes: number; groupSize: number | undefined }[] = [];
const started = Date.now();
for (let i = 0; i < count; i += batch) {
  const slice = copies.slice(i, i + batch);
  await runAll(slice, batch, async (copy) => void (await upload(copy.key, copy.file)));
  await runAll(slice, batch, async (copy) => void found.set(copy.key, await terminal(copy.key)));
  const done = Math.min(i + batch, count);
  if (done % 50 === 0 || done === count) {
    const { body, bytes } = await statusOf("original.mp4");
    growth.push({ copies: done, listed: body.duplicates.length, count: body.duplicateCount, bytes, groupSize: body.group?.size });
  }
}
const analysedSec = (Date.now() - started) / 1000;

// 4. Judge: every copy a whole copy of a group member, one group of the right size.
const original = (await statusOf("original.mp4")).body;
const groupId = original.group?.id;
const missed = copies.filter((c) => {
  const snapshot = found.get(c.key);
  return !snapshot?.duplicates.some((d) => d.kind === "near-duplicate" || d.kind === "identical");
});
const inGroup = copies.filter((c) => found.get(c.key)?.group?.id === groupId && groupId !== undefined).length;
const kinds = new Map<string, number>();
for (const snapshot of found.values()) for (const d of snapshot.duplicates) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);

// 5. The pages, 50 at a time, and latency of status and pages.
const walked: string[] = [];
const pageMs: number[] = [];
let cursor: string | null = null;
do {
  const query: string = cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : "?limit=50";
  const { body, ms } = await getJson<DuplicatesPage>(`${baseUrl}/duplicates/original.mp4${query}`);
  walked.push(...body.duplicates.map((d) => d.file));
  pageMs.push(ms);
  cursor = body.next;
} while (cursor);
const statusMs: number[] = [];
for (let i = 0; i < 200; i += 1) {
  statusMs.push((await statusOf(i % 2 ? "original.mp4" : copies[i % count]!.key)).ms);
  await sleep(i % 20 === 0 ? 300 : 0); // past the status cache now and then: some reads reach the database
}
statusMs.sort((a, b) => a - b);
pageMs.sort((a, b) => a - b);

const db = createDb({ url: databaseUrl, poolMax: 1, connectTimeoutMs: 5000, statementTimeoutMs: 60_000 });
const [rows] = await db.$queryRaw<{ original: bigint; copies: bigint }[]>`
  SELECT count(*) FILTER (WHERE v.key = 'original.mp4') AS original, count(*) FILTER (WHERE v.key <> 'original.mp4') AS copies
  FROM frame_index f JOIN video v ON v.num = f.video_num WHERE v.bucket = ${bucket}`;
const [matches] = await db.$queryRaw<
  { n: bigint }[]
>`SELECT count(*) AS n FROM match m JOIN video v ON v.id = m.video_id WHERE v.bucket = ${bucket}`;
await db.$disconnect();
await service.stop();
s3.destroy();
sqs.destroy();

console.log(
  `popular-content benchmark — one 12 s video and ${count} re-encoded copies (${copies[0]!.label}, ${copies[1]!.label}, …), ${batch} uploads at a time\n`,
);
console.log(
  `copies found              ${count - missed.length}/${count} as a whole copy (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`,
);
if (missed.length > 0) console.log(`  missed: ${missed.map((c) => `${c.key} (${c.label})`).join("; ")}`);
const outside = copies.filter((c) => found.get(c.key)?.group?.id !== groupId);
for (const c of outside.slice(0, 20)) {
  const snapshot = found.get(c.key);
  const toOriginal = snapshot?.duplicates.find((d) => d.file === "original.mp4");
  const verdict = toOriginal
    ? `${toOriginal.kind} ${toOriginal.score.toFixed(3)}, [${toOriginal.segment.map((t) => t.toFixed(1)).join(", ")}] of ${snapshot?.durationSec?.toFixed(1)} s ~ [${toOriginal.otherSegment.map((t) => t.toFixed(1)).join(", ")}]`
    : "no match";
  console.log(
    `  outside the group: ${c.key} (${c.label}): against the original ${verdict}; group ${snapshot?.group?.earliest.file ?? "none"}`,
  );
}
console.log(
  `in the original's group   ${inGroup}/${count}; group size ${original.group?.size ?? "none"} (expected ${count + 1 - missed.length}), id ${groupId ?? "none"}`,
);
console.log(
  `analysis                  ${analysedSec.toFixed(0)} s for the copies (${((count / analysedSec) * 60).toFixed(0)} videos/minute)`,
);
console.log(`the original's snapshot   copies | duplicates listed | duplicateCount | group size | bytes`);
for (const g of growth)
  console.log(
    `                          ${String(g.copies).padStart(6)} | ${String(g.listed).padStart(17)} | ${String(g.count).padStart(14)} | ${String(g.groupSize ?? "–").padStart(10)} | ${g.bytes}`,
  );
console.log(
  `GET /duplicates           ${walked.length} entries in ${pageMs.length} pages of 50, ${new Set(walked).size} distinct; page p50 ${percentile(pageMs, 50).toFixed(1)} ms, max ${pageMs.at(-1)!.toFixed(1)} ms`,
);
console.log(
  `GET /status/:file         p50 ${percentile(statusMs, 50).toFixed(1)} ms, p95 ${percentile(statusMs, 95).toFixed(1)} ms (200 reads, original and copies)`,
);
console.log(
  `index rows                original ${rows?.original ?? 0}, all ${count} copies ${rows?.copies ?? 0} (the footage is indexed once)`,
);
console.log(`match rows                ${matches?.n ?? 0} (both directions; ${2 * count} if each copy is matched to the original only)`);
const groupRight = original.group?.size === count + 1 - missed.length && inGroup === count - missed.length;
if (missed.length > 0 || !groupRight || walked.length !== original.duplicateCount || new Set(walked).size !== walked.length)
  process.exitCode = 1;
