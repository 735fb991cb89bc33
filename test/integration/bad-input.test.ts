import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { getStatus, startStack, type TestStack, waitForTerminal } from "../helpers/stack.js";

/** Every kind of bad upload ends in a terminal state with a clear code; nothing escapes. */
const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const run = promisify(execFile);
let fixtures: string;
let tmpDir: string;
let stack: TestStack;

/** Rewrites the movie header's duration to 2^31-1 time units: a header that lies. */
function declareHugeDuration(mp4: Buffer): Buffer {
  const out = Buffer.from(mp4);
  const at = out.indexOf("mvhd");
  // version(1) flags(3) creation(4) modification(4) timescale(4) duration(4), version 0
  if (at < 0 || out[at + 4] !== 0) throw new Error("unexpected mvhd layout");
  out.writeUInt32BE(0x7fffffff, at + 4 + 4 + 8 + 4);
  return out;
}

async function upload(key: string, body: Buffer): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: body }));
}

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "bad-input-"));
  tmpDir = await mkdtemp(path.join(os.tmpdir(), "bad-input-work-"));
  await renderScenes(path.join(fixtures, "good.mp4"), [
    { source: "life=seed=901:mold=10:ratio=0.1", durationSec: 3 },
    { source: "cellauto=rule=110:random_seed=9", durationSec: 3 },
  ]);
  const ff = (args: string[]) => run(FFMPEG, ["-v", "error", "-y", ...args]);
  await ff(["-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "aac", path.join(fixtures, "audio.m4a")]);
  await ff(["-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", path.join(fixtures, "still.png")]);
  await ff([
    "-f",
    "lavfi",
    "-i",
    "color=c=gray:size=8192x4352:rate=1",
    "-t",
    "1",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    path.join(fixtures, "huge-frame.mp4"),
  ]);
  await writeFile(path.join(fixtures, "notes.txt"), "Minutes of the meeting, not a video.\n".repeat(40));
  stack = await startStack("bad-input", { TMP_DIR: tmpDir, MAX_OBJECT_BYTES: String(5_000_000) });
});

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
  await rm(tmpDir, { recursive: true, force: true });
});

describe("bad uploads", () => {
  it("each ends failed with a stable code and a human message, and its message is deleted", async () => {
    const good = await readFile(path.join(fixtures, "good.mp4"));
    const cases: [key: string, body: Buffer, code: string][] = [
      ["bad/zero-bytes.mp4", Buffer.alloc(0), "CORRUPT_MEDIA"],
      ["bad/too-large.mp4", Buffer.alloc(6_000_000, 7), "OBJECT_TOO_LARGE"],
      ["bad/text.mp4", await readFile(path.join(fixtures, "notes.txt")), "CORRUPT_MEDIA|NOT_A_VIDEO"],
      ["bad/truncated.mp4", good.subarray(0, Math.floor(good.length * 0.3)), "CORRUPT_MEDIA"],
      ["bad/audio-only.mp4", await readFile(path.join(fixtures, "audio.m4a")), "NOT_A_VIDEO"],
      ["bad/still.mp4", await readFile(path.join(fixtures, "still.png")), "NOT_A_VIDEO"],
      ["bad/huge-frame.mp4", await readFile(path.join(fixtures, "huge-frame.mp4")), "MEDIA_LIMIT_EXCEEDED"],
      ["bad/lying-duration.mp4", declareHugeDuration(good), "MEDIA_LIMIT_EXCEEDED"],
    ];
    await Promise.all(cases.map(([key, body]) => upload(key, body)));
    for (const [key, , code] of cases) {
      const body = await waitForTerminal(stack.baseUrl, key);
      expect(body.status, key).toBe("failed");
      const error = body.error as { code: string; message: string };
      expect(error.code, key).toMatch(new RegExp(`^(${code})$`));
      expect(error.message.length, key).toBeGreaterThan(10);
      expect(error.message, key).not.toMatch(/\n\s+at /);
    }
    await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 20_000, "an empty queue");
    expect(await stack.queueDepth()).toEqual({ queue: 0, deadLetter: 0 });
  });

  it("an event for an object that is not in the bucket (deleted, or forged) is acknowledged and leaves no status: 404", async () => {
    const { QueueUrl } = await stack.sqs.send(new GetQueueUrlCommand({ QueueName: stack.config.QUEUE_NAME }));
    const record = {
      eventName: "ObjectCreated:Put",
      eventTime: new Date().toISOString(),
      s3: { bucket: { name: stack.config.BUCKET }, object: { key: "gone.mp4", size: 1000 } },
    };
    await stack.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ Records: [record] }) }));
    await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 30_000, "the message to be deleted");
    expect((await getStatus(stack.baseUrl, "gone.mp4")).status).toBe(404);
    expect(await stack.queueDepth()).toEqual({ queue: 0, deadLetter: 0 });
  });
});

describe("awkward keys", () => {
  it("round-trip through S3 events and /status, and none escapes the temporary directory", async () => {
    const good = await readFile(path.join(fixtures, "good.mp4"));
    const keys = [
      "../escape.mp4",
      "a/../../escape-too.mp4",
      "with space.mp4",
      "plus+sign.mp4",
      "percent%41%2F.mp4",
      "ünïcødé/日本語 ビデオ.mp4",
      "./dot.mp4",
    ];
    for (const key of keys) await upload(key, good);
    for (const key of keys) {
      const body = await waitForTerminal(stack.baseUrl, key);
      expect(body.file).toBe(key);
      expect(body.status, key).toBe("done");
    }
    // Nothing was written outside the work directory, and nothing is left in it.
    const parent = path.dirname(tmpDir);
    expect((await readdir(parent)).filter((e) => e.startsWith("escape"))).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([]);
  });
});
