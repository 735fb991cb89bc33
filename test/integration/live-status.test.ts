import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import type { StatusSnapshot } from "../../src/status/snapshot.js";
import { fakeTool } from "../helpers/processes.js";
import { startStack, type TestStack } from "../helpers/stack.js";

/** GET /status/stream/:file: Server-Sent Events from upload to a terminal state. */
interface StreamEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads an SSE response into events (and comment lines) until it closes or `stop` says so. */
async function readStream(response: Response, stop: (events: StreamEvent[], comments: number) => boolean = () => false) {
  const events: StreamEvent[] = [];
  let comments = 0;
  let buffer = "";
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      if (block.startsWith(":")) comments += 1;
      else {
        const field = (name: string) =>
          block
            .split("\n")
            .find((l) => l.startsWith(`${name}: `))
            ?.slice(name.length + 2) ?? "";
        events.push({ event: field("event"), data: field("data") });
      }
    }
    if (stop(events, comments)) {
      await reader.cancel();
      break;
    }
  }
  return { events, comments };
}

describe("live status stream (SSE)", () => {
  let stack: TestStack;
  let dir: string;
  const streamUrl = (key: string) => `${stack.baseUrl}/status/stream/${encodeURIComponent(key)}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "live-status-"));
    await renderScenes(path.join(dir, "clip.mp4"), [
      { source: "life=seed=1201:mold=10:ratio=0.1", durationSec: 4 },
      { source: "cellauto=rule=30:random_seed=12", durationSec: 4 },
      { source: "testsrc2", durationSec: 4 },
    ]);
    stack = await startStack("live-status", {
      SSE_MAX_STREAMS: "2",
      SSE_POLL_MS: "100",
      SSE_HEARTBEAT_MS: "300",
      STATUS_CACHE_TTL_MS: "50",
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends the snapshot at once, then each change, heartbeats, and ends after the terminal state", async () => {
    const key = "live/clip.mp4";
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, "clip.mp4")) }));
    const response = await fetch(streamUrl(key));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { events, comments } = await readStream(response);

    const snapshots = events.filter((e) => e.event === "snapshot").map((e) => JSON.parse(e.data) as StatusSnapshot);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(snapshots[0]!.status).not.toBe("done");
    expect(snapshots.at(-1)).toMatchObject({ status: "done", progress: 1 });
    const progress = snapshots.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(events.filter((e) => e.event === "snapshot").map((e) => e.data)).size).toBe(snapshots.length); // only changes
    expect(events.at(-1)).toEqual({ event: "end", data: JSON.stringify({ reason: "terminal" }) });
    expect(comments).toBeGreaterThanOrEqual(1);
  });

  it("answers a finished object with its snapshot and the end at once; 404 and 400 like /status", async () => {
    const { events } = await readStream(await fetch(streamUrl("live/clip.mp4")));
    expect(events.map((e) => e.event)).toEqual(["snapshot", "end"]);
    expect((await fetch(streamUrl("live/none.mp4"))).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/status/stream/${"k".repeat(1100)}`)).status).toBe(400);
  });

  it("caps concurrent streams (503 past the cap) and ends open streams cleanly on shutdown", async () => {
    const key = "live/waiting.mp4";
    // ffmpeg waits a minute: the analysis will not finish before the shutdown.
    const slow = await fakeTool("slow", process.env.FFMPEG_PATH ?? "ffmpeg", 60);
    const own = await startStack("live-status-cap", {
      SSE_MAX_STREAMS: "2",
      SSE_POLL_MS: "100",
      SSE_HEARTBEAT_MS: "300",
      FFMPEG_PATH: slow.path,
      SHUTDOWN_GRACE_MS: "500",
    });
    await own.s3.send(new PutObjectCommand({ Bucket: own.config.BUCKET, Key: key, Body: await readFile(path.join(dir, "clip.mp4")) }));
    const url = `${own.baseUrl}/status/stream/${encodeURIComponent(key)}`;
    const first = await fetch(url);
    const second = await fetch(url);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await fetch(url);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe("TOO_MANY_STREAMS");

    const reading = Promise.all([readStream(first), readStream(second)]);
    await new Promise((r) => setTimeout(r, 200));
    await own.stop();
    for (const { events } of await reading) expect(events.at(-1)).toEqual({ event: "end", data: JSON.stringify({ reason: "shutdown" }) });
    await rm(path.dirname(slow.path), { recursive: true, force: true });
  });
});
