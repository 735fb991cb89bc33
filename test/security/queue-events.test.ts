/**
 * Attacks by whoever can send to the queue: events are hints, the object's HEAD is the truth,
 * only the configured bucket is served, and a message cannot create rows by the thousand.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { uniqueName, waitFor } from "../helpers/env.js";
import { getStatus, readLogs, startStack, testDb, waitForTerminal, type TestStack } from "../helpers/stack.js";

let stack: TestStack;
let dir: string;
const db = testDb();

const record = (bucket: string, key: string, extra: { eTag?: string; eventTime?: string } = {}) => ({
  eventName: "ObjectCreated:Put",
  eventTime: extra.eventTime ?? new Date().toISOString(),
  s3: { bucket: { name: bucket }, object: { key, size: 1000, ...(extra.eTag ? { eTag: extra.eTag } : {}) } },
});

async function send(records: unknown[]): Promise<void> {
  const { QueueUrl } = await stack.sqs.send(new GetQueueUrlCommand({ QueueName: stack.config.QUEUE_NAME }));
  await stack.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ Records: records }) }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "queue-attack-"));
  await renderScenes(path.join(dir, "clip.mp4"), [
    { source: "life=seed=31:mold=10:ratio=0.1", durationSec: 3 },
    { source: "testsrc2", durationSec: 3 },
  ]);
  stack = await startStack("queue-attacks", { VISIBILITY_TIMEOUT_SEC: "10" }, { maxReceiveCount: 1 });
});

afterAll(async () => {
  await stack?.stop();
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("forged queue events", () => {
  it("an event for a bucket the service does not serve is never acted on: no row, left for the dead-letter queue", async () => {
    const other = uniqueName("other-bucket").toLowerCase();
    await stack.s3.send(new CreateBucketCommand({ Bucket: other }));
    await stack.s3.send(new PutObjectCommand({ Bucket: other, Key: "secret.mp4", Body: await readFile(path.join(dir, "clip.mp4")) }));
    await send([record(other, "secret.mp4")]);
    await waitFor(async () => ((await stack.queueDepth()).deadLetter === 1 ? true : undefined), 40_000, "the dead-letter queue");
    expect(await db.video.count({ where: { bucket: other } })).toBe(0);
    expect((await readLogs("queue-attacks")).some((l) => l.event === "message.foreign_bucket" && l.bucket === other)).toBe(true);
  });

  it("a forged ETag or an eventTime in 2099 neither re-analyses an object nor blocks its next version", async () => {
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: "real.mp4", Body: await readFile(path.join(dir, "clip.mp4")) }),
    );
    expect(await waitForTerminal(stack.baseUrl, "real.mp4")).toMatchObject({ status: "done", attempts: 1 });
    const stored = await db.video.findFirstOrThrow({ where: { bucket: stack.config.BUCKET, key: "real.mp4" } });
    await send([record(stack.config.BUCKET, "real.mp4", { eTag: "0123456789abcdef0123456789abcdef", eventTime: "2099-01-01T00:00:00Z" })]);
    await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 20_000, "the forged event to be handled");
    expect((await getStatus(stack.baseUrl, "real.mp4")).body).toMatchObject({ status: "done", attempts: 1 });
    expect(await db.video.findFirstOrThrow({ where: { id: stored.id } })).toMatchObject({
      etag: stored.etag,
      eventOrder: stored.eventOrder,
    });

    // The real next version (other bytes) is analysed as usual.
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.config.BUCKET,
        Key: "real.mp4",
        Body: Buffer.concat([await readFile(path.join(dir, "clip.mp4")), Buffer.alloc(16)]),
      }),
    );
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "real.mp4")).body.attempts === 2 ? true : undefined),
      30_000,
      "the new version's analysis",
    );
  });

  it("events for objects that do not exist create no rows, and a message of 4,000 records is refused whole", async () => {
    await send([record(stack.config.BUCKET, "never-uploaded.mp4")]);
    await send(Array.from({ length: 4000 }, (_, i) => record(stack.config.BUCKET, `flood/${i}.mp4`)));
    await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 40_000, "both messages to be handled");
    expect((await getStatus(stack.baseUrl, "never-uploaded.mp4")).status).toBe(404);
    expect(await db.video.count({ where: { key: { in: ["never-uploaded.mp4", "flood/0.mp4"] } } })).toBe(0);
    expect((await readLogs("queue-attacks")).some((l) => l.event === "message.too_many_records")).toBe(true);
  });
});
