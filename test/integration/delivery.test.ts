import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { getStatus, readLogs, startStack, type TestStack, testDb } from "../helpers/stack.js";

/** At-least-once delivery: duplicates, versions out of order, and messages that never succeed. */
const db = testDb();
let fixtures: string;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "delivery-"));
  await renderScenes(path.join(fixtures, "a.mp4"), [
    { source: "life=seed=501:mold=10:ratio=0.1", durationSec: 3 },
    { source: "cellauto=rule=150:random_seed=5", durationSec: 3 },
  ]);
  await renderScenes(path.join(fixtures, "b.mp4"), [
    { source: "cellauto=rule=90:random_seed=6", durationSec: 3 },
    { source: "life=seed=502:mold=5:ratio=0.3", durationSec: 3 },
  ]);
});

afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
  await db.$disconnect();
});

/** An S3 ObjectCreated event as S3 writes it (key form-URL-encoded). */
function s3Event(bucket: string, key: string, etag: string | undefined, eventTime: string): string {
  const encoded = encodeURIComponent(key).replace(/%20/g, "+");
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        eventTime,
        s3: { bucket: { name: bucket }, object: { key: encoded, size: 1, eTag: etag } },
      },
    ],
  });
}

async function send(stack: TestStack, body: string): Promise<void> {
  const { QueueUrl } = await stack.sqs.send(new GetQueueUrlCommand({ QueueName: stack.config.QUEUE_NAME }));
  await stack.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
}

async function put(stack: TestStack, key: string, file: string): Promise<string> {
  const { ETag } = await stack.s3.send(
    new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(fixtures, file)) }),
  );
  return ETag!.replace(/"/g, "");
}

async function settled(stack: TestStack): Promise<void> {
  await waitFor(
    async () => {
      const depth = await stack.queueDepth();
      return depth.queue === 0 ? depth : undefined;
    },
    30_000,
    "an empty queue",
  );
}

describe("duplicate delivery", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack("duplicates-delivery");
    await stack.addReplica("duplicates-delivery-replica");
  });
  afterAll(async () => stack?.stop());

  it("the same event three times, over two replicas: one video row, one analysis, one fingerprint set", async () => {
    const etag = await put(stack, "twice.mp4", "a.mp4");
    const event = s3Event(stack.config.BUCKET, "twice.mp4", etag, new Date().toISOString());
    await Promise.all([send(stack, event), send(stack, event)]);
    const body = await waitFor(
      async () => {
        const { body: b } = await getStatus(stack.baseUrl, "twice.mp4");
        return b.status === "done" ? b : undefined;
      },
      60_000,
      "done",
    );
    await settled(stack);
    expect(body).toMatchObject({ attempts: 1, takeovers: 0 });
    const videos = await db.video.findMany({ where: { bucket: stack.config.BUCKET, key: "twice.mp4" }, include: { cuts: true } });
    expect(videos).toHaveLength(1);
    expect(videos[0]!.cuts.map((c) => c.timeSec)).toEqual(body.sceneCuts);
    const logs = [...(await readLogs("duplicates-delivery")), ...(await readLogs("duplicates-delivery-replica"))].filter(
      (l) => l.key === "twice.mp4",
    );
    expect(logs.filter((l) => l.event === "job.analyzing")).toHaveLength(1);
    // Acknowledged: held by the other delivery, already done, or older than the event that won.
    expect(
      logs.filter((l) => ["event.held_elsewhere", "event.already_finished", "event.superseded"].includes(String(l.event))),
    ).toHaveLength(2);
  });

  it("two versions of one key: the newer one wins, and its older event arriving late changes nothing", async () => {
    const first = await put(stack, "versioned.mp4", "a.mp4");
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "versioned.mp4")).body.status === "done" ? true : undefined),
      60_000,
      "v1 done",
    );
    const second = await put(stack, "versioned.mp4", "b.mp4");
    expect(second).not.toBe(first);
    await waitFor(
      async () => {
        const video = await db.video.findFirst({ where: { bucket: stack.config.BUCKET, key: "versioned.mp4" }, include: { job: true } });
        return video?.etag === second && video.job?.status === "done" ? video : undefined;
      },
      60_000,
      "v2 done",
    );
    const afterSecond = (await getStatus(stack.baseUrl, "versioned.mp4")).body;
    expect(afterSecond).toMatchObject({ status: "done", attempts: 2 });

    // The first version's event again, stamped before the second upload.
    await send(stack, s3Event(stack.config.BUCKET, "versioned.mp4", first, new Date(Date.now() - 60_000).toISOString()));
    await settled(stack);
    expect((await getStatus(stack.baseUrl, "versioned.mp4")).body).toEqual(afterSecond);
    const stored = await db.video.findFirstOrThrow({ where: { bucket: stack.config.BUCKET, key: "versioned.mp4" } });
    expect(stored.sha256).toBe(
      createHash("sha256")
        .update(await readFile(path.join(fixtures, "b.mp4")))
        .digest("hex"),
    );
    expect(await db.video.count({ where: { bucket: stack.config.BUCKET, key: "versioned.mp4" } })).toBe(1);
  });
});

describe("a message that can never succeed", () => {
  it("reaches the dead-letter queue after maxReceiveCount; nothing is retried forever", async () => {
    const stack = await startStack("dead-letter", { VISIBILITY_TIMEOUT_SEC: "10" }, { maxReceiveCount: 2 });
    try {
      await send(stack, "{this is not json");
      await send(stack, JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: stack.config.BUCKET } } }] }));
      const depth = await waitFor(
        async () => {
          const d = await stack.queueDepth();
          return d.deadLetter === 2 && d.queue === 0 ? d : undefined;
        },
        60_000,
        "both messages in the dead-letter queue",
      );
      expect(depth).toEqual({ queue: 0, deadLetter: 2 });
      const left = (await readLogs("dead-letter")).filter((l) => l.event === "message.unparseable");
      expect(left.length).toBeGreaterThanOrEqual(4);
    } finally {
      await stack.stop();
    }
  });
});
