import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { createDb } from "../../src/store/prisma.js";
import { requireEnv, waitFor } from "../helpers/env.js";
import { fakeTool } from "../helpers/processes.js";
import { HttpFaultProxy } from "../helpers/http-fault-proxy.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";
import { readLogs, startStack, type TestStack, waitForTerminal } from "../helpers/stack.js";

/** The queue, the database and S3 failing for real, between the service and its dependency. */
const AWS_ENDPOINT = requireEnv("TEST_AWS_ENDPOINT");
const DATABASE_URL = requireEnv("TEST_DATABASE_URL");
const db = createDb({ url: DATABASE_URL, poolMax: 2, connectTimeoutMs: 5000, statementTimeoutMs: 15000 });
let fixtures: string;
let clip: Buffer;
let otherClip: Buffer;
let throttledClip: Buffer;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "faults-deps-"));
  await renderScenes(path.join(fixtures, "clip.mp4"), [
    { source: "life=seed=77:mold=10:ratio=0.1", durationSec: 3 },
    { source: "rgbtestsrc", durationSec: 2 },
    { source: "cellauto=rule=90", durationSec: 3 },
  ]);
  await renderScenes(path.join(fixtures, "other.mp4"), [
    { source: "life=seed=78:mold=5:ratio=0.3", durationSec: 3 },
    { source: "cellauto=rule=30", durationSec: 3 },
  ]);
  // Bytes of its own: a re-upload of stored bytes is answered from its ETag, with no GET to throttle.
  await renderScenes(path.join(fixtures, "throttled.mp4"), [
    { source: "life=seed=79:mold=20:ratio=0.2", durationSec: 3 },
    { source: "cellauto=rule=110", durationSec: 3 },
  ]);
  clip = await readFile(path.join(fixtures, "clip.mp4"));
  throttledClip = await readFile(path.join(fixtures, "throttled.mp4"));
  otherClip = await readFile(path.join(fixtures, "other.mp4"));
});

afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
  await db.$disconnect();
});

async function readiness(
  stack: TestStack,
): Promise<{ status: number; body: { ready: boolean; checks: { database: boolean; polling: boolean; breaker: string } } }> {
  const response = await fetch(`${stack.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as never };
}

const upload = (stack: TestStack, key: string, body = clip) =>
  stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: body }));

describe("queue outage", () => {
  it("opens the breaker, backs off (capped), probes half-open, closes when the queue is back, and goes on with no restart", async () => {
    const url = new URL(AWS_ENDPOINT);
    const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port) });
    const stack = await startStack("queue-outage", {
      AWS_ENDPOINT: proxy.url(AWS_ENDPOINT),
      BREAKER_FAILURE_THRESHOLD: "3",
      BREAKER_BASE_OPEN_MS: "300",
      BREAKER_MAX_OPEN_MS: "1500",
    });
    try {
      await waitFor(async () => ((await readiness(stack)).body.ready ? true : undefined), 15_000, "readiness");
      await proxy.cut();
      const open = await waitFor(
        async () => {
          const r = await readiness(stack);
          return r.body.checks.breaker === "open" ? r : undefined;
        },
        30_000,
        "the breaker to open",
      );
      expect(open.status).toBe(503);
      // Let it probe a few times while the queue stays down.
      await waitFor(
        async () => ((await readLogs("queue-outage")).filter((l) => l.event === "breaker.half_open").length >= 3 ? true : undefined),
        30_000,
        "three half-open probes",
      );

      await proxy.restore();
      await waitFor(async () => ((await readiness(stack)).body.ready ? true : undefined), 30_000, "readiness after the outage");
      await upload(stack, "after-outage.mp4");
      expect(await waitForTerminal(stack.baseUrl, "after-outage.mp4")).toMatchObject({ status: "done" });

      const logs = await readLogs("queue-outage");
      const openings = logs.filter((l) => l.event === "breaker.open");
      expect(openings.length).toBeGreaterThanOrEqual(2);
      const waits = openings.map((l) => l.retryInMs as number);
      // Exponential with equal jitter: each wait is at least half its step; the cap holds.
      expect(Math.max(...waits)).toBeLessThanOrEqual(1500);
      expect(waits.every((w) => w >= 150)).toBe(true);
      expect(logs.some((l) => l.event === "breaker.closed")).toBe(true);
    } finally {
      await stack.stop();
      await proxy.close();
    }
  });

  it("a queue that is not there yet: not ready, each retry logged with its wait, and a stop ends the waiting at once", async () => {
    const stack = await startStack("queue-missing", { QUEUE_NAME: `missing-${Date.now()}` });
    let stopped = false;
    try {
      const longWait = await waitFor(
        async () => (await readLogs("queue-missing")).find((l) => l.event === "queue.not_found" && (l.retryInMs as number) >= 4_000),
        30_000,
        "a retry at least 4 s away",
      );
      expect(longWait.queue).toMatch(/^missing-/);
      const { body } = await readiness(stack);
      expect(body.checks.polling).toBe(false);
      const stopping = performance.now();
      await stack.stop();
      stopped = true;
      expect(performance.now() - stopping).toBeLessThan(2_000);
      expect((await readLogs("queue-missing")).some((l) => l.event === "queue.found")).toBe(false);
    } finally {
      if (!stopped) await stack.stop();
    }
  });
});

describe("database outage", () => {
  it("down at start: not ready, nothing received; back: processed. Down mid-job: the message is not deleted and comes back; nothing is lost", async () => {
    const proxy = await TcpProxy.start({ host: "127.0.0.1", port: Number(new URL(DATABASE_URL).port || 5432) });
    await proxy.cut();
    // ffmpeg waits 3 s, so a job is surely running when the database goes away mid-run.
    const slow = await fakeTool("slow", process.env.FFMPEG_PATH ?? "ffmpeg", 3);
    const stack = await startStack("db-outage", {
      DATABASE_URL: proxy.url(DATABASE_URL),
      DB_CONNECT_TIMEOUT_MS: "1000",
      FFMPEG_PATH: slow.path,
    });
    try {
      await waitFor(
        async () => ((await readLogs("db-outage")).some((l) => l.event === "dependencies.down") ? true : undefined),
        15_000,
        "polling to pause",
      );
      const down = await readiness(stack);
      expect(down.status).toBe(503);
      expect(down.body.checks.database).toBe(false);
      await upload(stack, "during-outage.mp4");
      await new Promise((r) => setTimeout(r, 3000));
      // The upload's event and the bootstrap's s3:TestEvent wait in the queue, untouched.
      expect((await stack.queueDepth()).queue).toBe(2);
      expect(await db.video.count({ where: { bucket: stack.config.BUCKET } })).toBe(0);

      await proxy.restore();
      expect(await waitForTerminal(stack.baseUrl, "during-outage.mp4")).toMatchObject({ status: "done", attempts: 1 });

      // Mid-job: cut while ffmpeg is still waiting, restore a few seconds later.
      await upload(stack, "mid-job.mp4", otherClip);
      await waitFor(
        async () => {
          const job = await db.job.findFirst({ where: { video: { bucket: stack.config.BUCKET, key: "mid-job.mp4" } } });
          return job?.status === "analyzing" ? job : undefined;
        },
        20_000,
        "the job to start",
      );
      await proxy.cut();
      await waitFor(
        async () =>
          (await readLogs("db-outage")).some((l) => l.key === "mid-job.mp4" && l.event === "job.interrupted") ? true : undefined,
        20_000,
        "the job to fail transiently",
      );
      expect((await stack.queueDepth()).queue).toBe(1);
      const stuck = await db.job.findFirst({ where: { video: { bucket: stack.config.BUCKET, key: "mid-job.mp4" } } });
      expect(stuck?.status).not.toBe("failed");
      await proxy.restore();

      const body = await waitForTerminal(stack.baseUrl, "mid-job.mp4", 60_000);
      expect(body).toMatchObject({ status: "done", attempts: 2 });
      await waitFor(
        async () => {
          const depth = await stack.queueDepth();
          return depth.queue === 0 && depth.deadLetter === 0 ? depth : undefined;
        },
        15_000,
        "empty queues",
      );
    } finally {
      await stack.stop();
      await proxy.close();
      await rm(path.dirname(slow.path), { recursive: true, force: true });
    }
  });
});

describe("S3 throttling (503 SlowDown)", () => {
  it("is transient: the message goes back with backoff and the object is processed on the next delivery", async () => {
    const proxy = await HttpFaultProxy.start(AWS_ENDPOINT);
    const stack = await startStack("s3-throttle", { AWS_ENDPOINT: proxy.url });
    try {
      // Every GET of the object fails until the SDK's three attempts are used up, once.
      proxy.failNext(3, (req) => req.method === "GET" && (req.url ?? "").includes("throttled.mp4"));
      await upload(stack, "throttled.mp4", throttledClip);
      const body = await waitForTerminal(stack.baseUrl, "throttled.mp4", 60_000);
      expect(body).toMatchObject({ status: "done", attempts: 2 });
      expect(proxy.failed).toBe(3);
      const returned = (await readLogs("s3-throttle")).find((l) => l.event === "message.returned");
      expect(returned).toMatchObject({ receiveCount: 1, retryInSec: 10 });
    } finally {
      await stack.stop();
      await proxy.close();
    }
  });
});
