import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DeleteObjectCommand, GetBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { bootstrap } from "../../scripts/lib/bootstrap.js";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import type { DuplicateEntry } from "../../src/status/snapshot.js";
import { requireEnv, waitFor } from "../helpers/env.js";
import { fakeTool } from "../helpers/processes.js";
import { getStatus, readLogs, startStack, testDb, waitForTerminal, type TestStack } from "../helpers/stack.js";

const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const db = testDb();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "deletes-"));
  await renderScenes(path.join(dir, "original.mp4"), [
    { source: "mandelbrot=start_x=-0.743:start_y=0.131:start_scale=0.4", durationSec: 4 },
    { source: "life=seed=31337:ratio=0.3:mold=10", durationSec: 4 },
    { source: "cellauto=rule=105:random_seed=77:random_fill_ratio=0.4", filters: "crop=160:90:0:0", durationSec: 4 },
  ]);
  await transcode(path.join(dir, "original.mp4"), path.join(dir, "copy.mp4"), ["-vf", "scale=-2:240", "-c:v", "libx264", "-crf", "28"]);
  // Bytes of its own: an upload identical to an analysed video is answered without any analysis.
  await renderScenes(path.join(dir, "doomed.mp4"), [
    { source: "smptehdbars", durationSec: 3 },
    { source: "cellauto=rule=30", durationSec: 3 },
  ]);
}, 120_000);

afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** Rows anywhere in the database that name the video: every uuid column, and every column holding its number. */
async function rowsNaming(video: { id: string; num: number }): Promise<Record<string, number>> {
  const columns = await db.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
    SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' AND (data_type = 'uuid' OR column_name IN ('num', 'video_num'))`;
  const found: Record<string, number> = {};
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const value = type === "uuid" ? video.id : video.num;
    const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${table}" WHERE "${column}" = $1${type === "uuid" ? "::uuid" : ""}`,
      value,
    );
    if (row && row.n > 0n) found[`${table}.${column}`] = Number(row.n);
  }
  return found;
}

const duplicatesOf = async (stack: TestStack, key: string) =>
  ((await getStatus(stack.baseUrl, key)).body.duplicates as DuplicateEntry[]) ?? [];

describe("deleted objects are forgotten (S3 ObjectRemoved notifications through moto)", () => {
  let stack: TestStack;
  const put = async (key: string, file: string) =>
    stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, file)) }));

  beforeAll(async () => {
    stack = await startStack("deletes");
  });
  afterAll(async () => stack?.stop());

  it("a delete removes everything derived from the video in one go: status 404, no longer anyone's duplicate, no row left", async () => {
    await put("original.mp4", "original.mp4");
    await waitForTerminal(stack.baseUrl, "original.mp4");
    await put("copy.mp4", "copy.mp4");
    await waitForTerminal(stack.baseUrl, "copy.mp4");
    expect((await duplicatesOf(stack, "copy.mp4")).map((d) => d.file)).toEqual(["original.mp4"]);
    const video = await db.video.findFirstOrThrow({ where: { bucket: stack.config.BUCKET, key: "original.mp4" } });
    expect(Object.keys(await rowsNaming(video)).length).toBeGreaterThan(3);

    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.config.BUCKET, Key: "original.mp4" }));
    await waitFor(async () => ((await getStatus(stack.baseUrl, "original.mp4")).status === 404 ? true : undefined), 30_000, "a 404");
    expect(await duplicatesOf(stack, "copy.mp4")).toEqual([]);
    expect(await rowsNaming(video)).toEqual({});
    expect((await readLogs("deletes")).some((l) => l.event === "object.erased" && l.key === "original.mp4")).toBe(true);

    // A new upload to the same key is analysed afresh, and finds its copy again.
    await put("original.mp4", "original.mp4");
    const again = await waitForTerminal(stack.baseUrl, "original.mp4");
    expect(again.status).toBe("done");
    expect((await duplicatesOf(stack, "original.mp4")).map((d) => d.file)).toEqual(["copy.mp4"]);
    expect((await db.video.findFirstOrThrow({ where: { bucket: stack.config.BUCKET, key: "original.mp4" } })).id).not.toBe(video.id);
  });

  it("a removal older than what is stored, or of a version the bucket still holds, erases nothing", async () => {
    const { QueueUrl } = await stack.sqs.send(new GetQueueUrlCommand({ QueueName: stack.config.QUEUE_NAME }));
    const removal = (eventTime: string) =>
      JSON.stringify({
        Records: [
          { eventName: "ObjectRemoved:Delete", eventTime, s3: { bucket: { name: stack.config.BUCKET }, object: { key: "copy.mp4" } } },
        ],
      });
    // A stale redelivery from before the upload, then a forged one from now: the object is still there, unchanged.
    for (const eventTime of ["2020-01-01T00:00:00.000Z", new Date().toISOString()]) {
      await stack.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: removal(eventTime) }));
    }
    await waitFor(
      async () => {
        const logs = await readLogs("deletes");
        const kept = logs.filter((l) => l.key === "copy.mp4" && (l.event === "object.kept_newer" || l.event === "object.kept_in_bucket"));
        return kept.length >= 2 ? kept.map((l) => l.event) : undefined;
      },
      30_000,
      "both removals to be judged",
    );
    expect((await getStatus(stack.baseUrl, "copy.mp4")).body.status).toBe("done");
    expect((await duplicatesOf(stack, "copy.mp4")).map((d) => d.file)).toEqual(["original.mp4"]);
  });
});

describe("a delete during the analysis stops it and nothing of it is stored", () => {
  let stack: TestStack;

  beforeAll(async () => {
    const slow = await fakeTool("slow", FFMPEG, 6);
    stack = await startStack("delete-mid-analysis", { FFMPEG_PATH: slow.path });
  });
  afterAll(async () => stack?.stop());

  it("revokes the lease: the worker's next write fails, the result never lands", async () => {
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: "doomed.mp4", Body: await readFile(path.join(dir, "doomed.mp4")) }),
    );
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "doomed.mp4")).body.status === "analyzing" ? true : undefined),
      30_000,
      "the analysis to start",
    );
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.config.BUCKET, Key: "doomed.mp4" }));
    await waitFor(
      async () => {
        const logs = await readLogs("delete-mid-analysis");
        return logs.some((l) => l.key === "doomed.mp4" && l.event === "job.interrupted") ? true : undefined;
      },
      60_000,
      "the analysis to stop on its revoked lease",
    );
    // Whatever the worker does next, the key stays forgotten.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await getStatus(stack.baseUrl, "doomed.mp4")).status).toBe(404);
    expect(await db.video.count({ where: { bucket: stack.config.BUCKET, key: "doomed.mp4" } })).toBe(0);
    await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 60_000, "the queue to drain");
    expect(await db.video.count({ where: { bucket: stack.config.BUCKET, key: "doomed.mp4" } })).toBe(0);
  });
});

/** S3 → EventBridge → SQS end to end on moto, wired as `npm run setup:aws -- --eventbridge` wires it. */
describe("S3 events through EventBridge (moto routes the bucket's events to the rule's queue target)", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack("eventbridge");
    const events = new EventBridgeClient({
      endpoint: requireEnv("TEST_AWS_ENDPOINT"),
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const options = { bucket: stack.config.BUCKET, queueName: stack.config.QUEUE_NAME, visibilityTimeoutSec: 30, maxReceiveCount: 5 };
    const steps = await bootstrap(stack.s3, stack.sqs, {
      ...options,
      region: "us-east-1",
      corsOrigins: [],
      route: { via: "eventbridge", events },
    });
    expect(steps.map((s) => s.resource)).toEqual(expect.arrayContaining([expect.stringMatching(/^EventBridge rule /)]));
    const again = await bootstrap(stack.s3, stack.sqs, {
      ...options,
      region: "us-east-1",
      corsOrigins: [],
      route: { via: "eventbridge", events },
    });
    // A second run changes nothing, but for one step: moto's GetBucketNotificationConfiguration leaves out the
    // EventBridgeConfiguration it stored, so the bucket's delivery to EventBridge is written again there.
    expect(again.filter((s) => s.action !== "exists").map((s) => s.resource)).toEqual([`bucket ${stack.config.BUCKET} → EventBridge`]);
    const notification = await stack.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: stack.config.BUCKET }));
    expect(notification.QueueConfigurations ?? []).toEqual([]); // no direct notification: each event arrives once
  });
  afterAll(async () => stack?.stop());

  it("analyses on Object Created and forgets on Object Deleted", async () => {
    const bucket = stack.config.BUCKET;
    await stack.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "via eventbridge.mp4", Body: await readFile(path.join(dir, "original.mp4")) }),
    );
    expect((await waitForTerminal(stack.baseUrl, "via eventbridge.mp4")).status).toBe("done");
    await stack.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "via eventbridge.mp4" }));
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "via eventbridge.mp4")).status === 404 ? true : undefined),
      30_000,
      "a 404 after Object Deleted",
    );
    expect(await db.video.count({ where: { bucket, key: "via eventbridge.mp4" } })).toBe(0);
    const logs = await readLogs("eventbridge");
    expect(logs.some((l) => l.event === "object.erased" && l.key === "via eventbridge.mp4")).toBe(true);
  });
});
