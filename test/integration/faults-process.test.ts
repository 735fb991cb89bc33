import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { fakeTool, processesMatching } from "../helpers/processes.js";
import { spawnService, type ServiceProcess } from "../helpers/service-process.js";
import { getStatus, provisionQueue, type ProvisionedQueue, waitForTerminal, testDb } from "../helpers/stack.js";

/**
 * The service as real OS processes: SIGTERM, kill -9, and several replicas on one queue and
 * one database.
 */
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const db = testDb();
let fixtures: string;
const running: ServiceProcess[] = [];
const fakeDirs: string[] = [];

async function start(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const service = await spawnService(name, env);
  running.push(service);
  return service;
}

async function upload(queue: ProvisionedQueue, key: string, file: string): Promise<void> {
  await queue.s3.send(new PutObjectCommand({ Bucket: queue.env.BUCKET, Key: key, Body: await readFile(path.join(fixtures, file)) }));
}

async function jobOf(queue: ProvisionedQueue, key: string) {
  return db.job.findFirst({ where: { video: { bucket: queue.env.BUCKET, key } } });
}

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "faults-process-"));
  const scenes = (seed: number) => [
    { source: `life=seed=${seed}:mold=10:ratio=0.1`, durationSec: 3 },
    { source: "testsrc2", durationSec: 3 },
    { source: `cellauto=rule=${30 + seed}`, durationSec: 3 },
    { source: "mandelbrot", durationSec: 3 },
  ];
  await renderScenes(path.join(fixtures, "clip.mp4"), scenes(1));
  // Other bytes for each test that needs a real analysis (identical bytes are answered from the hash).
  await renderScenes(path.join(fixtures, "clip-2.mp4"), scenes(2));
  // Footage of the replica test's own (the database is shared with other tests).
  const unique = (seed: number) => [
    { source: `life=seed=${seed}:mold=10:ratio=0.1`, durationSec: 4 },
    { source: `cellauto=rule=${[30, 90, 110, 150][seed % 4]}:random_seed=${seed}`, durationSec: 4 },
    { source: `life=seed=${seed + 1000}:mold=5:ratio=0.3`, durationSec: 4 },
  ];
  await renderScenes(path.join(fixtures, "replica-source.mp4"), unique(101));
  for (const seed of [202, 303, 404]) await renderScenes(path.join(fixtures, `other-${seed}.mp4`), unique(seed));
  await transcode(path.join(fixtures, "replica-source.mp4"), path.join(fixtures, "copy-a.mp4"), [
    "-vf",
    "scale=-2:240",
    "-c:v",
    "libx264",
    "-crf",
    "30",
    "-preset",
    "veryfast",
  ]);
  await transcode(path.join(fixtures, "replica-source.mp4"), path.join(fixtures, "copy-b.mp4"), [
    "-c:v",
    "libx264",
    "-crf",
    "36",
    "-preset",
    "veryfast",
  ]);
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop("SIGKILL")));
  for (const dir of fakeDirs) {
    for (const pid of processesMatching(path.basename(dir))) process.kill(pid, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
  await rm(fixtures, { recursive: true, force: true });
  await db.$disconnect();
});

describe("shutdown (SIGTERM)", () => {
  it("stops polling, releases the unfinished message at once, kills children, exits 0, leaves the job pending", async () => {
    const queue = await provisionQueue("sigterm");
    const slow = await fakeTool("slow", FFMPEG, 60);
    fakeDirs.push(path.dirname(slow.path));
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), "sigterm-tmp-"));
    const service = await start("sigterm", { ...queue.env, FFMPEG_PATH: slow.path, SHUTDOWN_GRACE_MS: "1000", TMP_DIR: tmpDir });
    await upload(queue, "long.mp4", "clip.mp4");
    await waitFor(async () => (processesMatching(slow.marker).length > 0 ? true : undefined), 30_000, "ffmpeg to start");

    const stopped = Date.now();
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(processesMatching(slow.marker)).toEqual([]);
    expect((await readdir(tmpDir)).filter((e) => e.startsWith("tvidz-"))).toEqual([]);
    expect(await jobOf(queue, "long.mp4")).toMatchObject({ status: "pending", leaseToken: null, attempts: 1 });
    expect(service.logs.map((l) => l.event)).toContain("service.stopped");

    // Released with visibility 0: receivable now, not after the 30 s visibility timeout.
    const { QueueUrl } = await queue.sqs.send(new GetQueueUrlCommand({ QueueName: queue.env.QUEUE_NAME }));
    const { Messages } = await queue.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }));
    expect(Messages).toHaveLength(1);
    await queue.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }),
    );

    // The next start finishes it.
    const next = await start("sigterm-restart", queue.env);
    expect(await waitForTerminal(next.baseUrl, "long.mp4")).toMatchObject({ status: "done", attempts: 2, takeovers: 0 });
    await rm(tmpDir, { recursive: true, force: true });
  });
});

describe("a worker killed mid-job (kill -9)", () => {
  it("does not leave the job analyzing: the message comes back and another worker takes the job over, and removes the dead worker's download", async () => {
    const queue = await provisionQueue("kill9", { VISIBILITY_TIMEOUT_SEC: "10" });
    const slow = await fakeTool("slow", FFMPEG, 60);
    fakeDirs.push(path.dirname(slow.path));
    const tmpDir = await mkdtemp(path.join(os.tmpdir(), "kill9-tmp-"));
    fakeDirs.push(tmpDir);
    const doomed = await start("kill9-doomed", { ...queue.env, FFMPEG_PATH: slow.path, TMP_DIR: tmpDir });
    await upload(queue, "victim.mp4", "clip-2.mp4");
    await doomed.waitForLog((l) => l.event === "job.analyzing" && l.key === "victim.mp4", 30_000, "the job to start");
    await waitFor(async () => ((await readdir(tmpDir)).length > 0 ? true : undefined), 10_000, "the doomed worker's scratch directory");
    expect(await doomed.stop("SIGKILL")).toBeNull();
    expect(await jobOf(queue, "victim.mp4")).toMatchObject({ status: "analyzing" });

    const survivor = await start("kill9-survivor", { ...queue.env, TMP_DIR: tmpDir });
    const body = await waitForTerminal(survivor.baseUrl, "victim.mp4");
    expect(body).toMatchObject({ status: "done", attempts: 2, takeovers: 1 });
    expect(survivor.logs.some((l) => l.event === "job.taken_over" && l.key === "victim.mp4")).toBe(true);
    expect(survivor.logs.some((l) => l.event === "scratch.swept")).toBe(true);
    expect(await readdir(tmpDir)).toEqual([]);
    await waitFor(async () => ((await queue.queueDepth()).queue === 0 ? true : undefined), 20_000, "an empty queue");
  });
});

describe("several replicas, one truth", () => {
  it("three processes on one queue: every video reaches a terminal state once, every replica gives the same answer, simultaneous copies find each other", async () => {
    const queue = await provisionQueue("replicas");
    const replicas = await Promise.all([1, 2, 3].map((n) => start(`replica-${n}`, { ...queue.env, CONCURRENCY: "1" })));
    const keys = ["copy-a.mp4", "copy-b.mp4", "other-202.mp4", "other-303.mp4", "other-404.mp4"];
    // The two copies at the same instant, then the rest.
    await Promise.all([upload(queue, "copy-a.mp4", "copy-a.mp4"), upload(queue, "copy-b.mp4", "copy-b.mp4")]);
    for (const key of keys.slice(2)) await upload(queue, key, key);

    for (const key of keys) await waitForTerminal(replicas[0]!.baseUrl, key);
    // Each replica may serve a snapshot from memory for STATUS_CACHE_TTL_MS (500 ms).
    await new Promise((r) => setTimeout(r, 600));
    for (const key of keys) {
      const answers = [];
      for (const replica of replicas) answers.push((await getStatus(replica.baseUrl, key)).body);
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(answers[0]).toMatchObject({ status: "done", attempts: 1 });
      expect(await db.video.count({ where: { bucket: queue.env.BUCKET, key } })).toBe(1);
    }
    const copyA = (await getStatus(replicas[0]!.baseUrl, "copy-a.mp4")).body;
    const copyB = (await getStatus(replicas[1]!.baseUrl, "copy-b.mp4")).body;
    expect(copyA.duplicates).toEqual([expect.objectContaining({ file: "copy-b.mp4", kind: "near-duplicate" })]);
    expect(copyB.duplicates).toEqual([expect.objectContaining({ file: "copy-a.mp4", kind: "near-duplicate" })]);
    for (const key of keys.slice(2)) expect((await getStatus(replicas[2]!.baseUrl, key)).body.duplicates).toEqual([]);

    const workers = new Set(replicas.filter((r) => r.logs.some((l) => l.event === "job.done")).map((r) => r.name));
    expect(workers.size).toBeGreaterThanOrEqual(2);
    await waitFor(
      async () => {
        const depth = await queue.queueDepth();
        return depth.queue === 0 && depth.deadLetter === 0 ? depth : undefined;
      },
      20_000,
      "empty queues",
    );
  });
});
