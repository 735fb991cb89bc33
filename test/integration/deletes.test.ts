import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import type { DuplicateEntry } from "../../src/status/snapshot.js";
import { waitFor } from "../helpers/env.js";
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

/**
 * moto stores a bucket's EventBridge configuration but does not deliver S3 events through
 * EventBridge rules, so this test turns the bucket's own notification off and sends the queue
 * EventBridge events shaped as AWS documents them, as a rule with the queue as target does.
 */
describe("EventBridge events on the queue (real-shaped messages; moto does not route S3 → EventBridge)", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack("eventbridge");
    await stack.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: stack.config.BUCKET, NotificationConfiguration: {} }));
  });
  afterAll(async () => stack?.stop());

  it("analyses on Object Created and forgets on Object Deleted", async () => {
    const bucket = stack.config.BUCKET;
    const { QueueUrl } = await stack.sqs.send(new GetQueueUrlCommand({ QueueName: stack.config.QUEUE_NAME }));
    const send = (detailType: string, object: Record<string, unknown>) =>
      stack.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify({
            version: "0",
            id: crypto.randomUUID(),
            "detail-type": detailType,
            source: "aws.s3",
            account: "123456789012",
            time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
            region: "us-east-1",
            resources: [`arn:aws:s3:::${bucket}`],
            detail: { version: "0", bucket: { name: bucket }, object, "request-id": "R", requester: "123456789012", reason: "PutObject" },
          }),
        }),
      );
    const { ETag } = await stack.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "via eventbridge.mp4", Body: await readFile(path.join(dir, "original.mp4")) }),
    );
    await send("Object Created", { key: "via+eventbridge.mp4", size: 1, etag: ETag?.replace(/"/g, ""), sequencer: "00617F08299329D189" });
    expect((await waitForTerminal(stack.baseUrl, "via eventbridge.mp4")).status).toBe("done");

    await stack.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "via eventbridge.mp4" }));
    await send("Object Deleted", { key: "via+eventbridge.mp4", sequencer: "00617F0837B476E463" });
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "via eventbridge.mp4")).status === 404 ? true : undefined),
      30_000,
      "a 404 after Object Deleted",
    );
    expect(await db.video.count({ where: { bucket, key: "via eventbridge.mp4" } })).toBe(0);
  });
});
