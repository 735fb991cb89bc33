/**
 * Attacks through uploads and HTTP, against the real stack (moto, PostgreSQL, ffmpeg, the
 * service): playlists and manifests that name internal URLs and host files, thumbnails as a
 * way to start processes, streams that grow past the pixel cap, live-stream slots.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { processesMatching } from "../helpers/processes.js";
import { getStatus, startStack, waitForTerminal, type TestStack } from "../helpers/stack.js";
import { CanaryFile, CanaryListener } from "./canaries.js";

const MAX_PIXELS = 100_000;
const THUMBNAIL_CONCURRENCY = 2;
const SSE_MAX_STREAMS = 5;

let stack: TestStack;
let dir: string;
let tmpDir: string;
let canary: CanaryListener;
let hostFile: CanaryFile;

async function upload(key: string, body: Buffer | string): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: body }));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "attack-"));
  tmpDir = await mkdtemp(path.join(os.tmpdir(), "attack-work-"));
  canary = await CanaryListener.start();
  hostFile = CanaryFile.create(dir);
  // Under the file's pixel cap (MAX_PIXELS): 320×240.
  await renderScenes(
    path.join(dir, "clip.mp4"),
    [
      { source: "life=seed=77:mold=10:ratio=0.1", durationSec: 4 },
      { source: "testsrc2", durationSec: 4 },
    ],
    { width: 320, height: 240, sourceWidth: 320, sourceHeight: 240 },
  );
  // A stream that starts at 160×120 and switches to 640×480: its header passes the pixel cap, its frames do not.
  const ff = (args: string[]) => execFileSync("ffmpeg", ["-v", "error", "-y", ...args]);
  ff(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2", "-c:v", "libx264", "-f", "mpegts", path.join(dir, "small.ts")]);
  ff(["-f", "lavfi", "-i", "mandelbrot=size=640x480:rate=25", "-t", "2", "-c:v", "libx264", "-f", "mpegts", path.join(dir, "large.ts")]);
  stack = await startStack("attacks", {
    TMP_DIR: tmpDir,
    MAX_VIDEO_PIXELS: String(MAX_PIXELS),
    THUMBNAIL_CONCURRENCY: String(THUMBNAIL_CONCURRENCY),
    THUMBNAIL_QUEUE: "2",
    SSE_MAX_STREAMS: String(SSE_MAX_STREAMS),
    SSE_MAX_LIFETIME_MS: "1500",
  });
});

afterAll(async () => {
  await stack?.stop();
  await canary?.stop();
  await hostFile?.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(tmpDir, { recursive: true, force: true });
});

describe("uploads that are not single-file videos are never opened beyond themselves", () => {
  it("HLS, DASH, concat and SDP uploads named .mp4 fail NOT_A_VIDEO; no URL is fetched, no host file opened", async () => {
    const metadata = canary.url("/latest/meta-data/iam/security-credentials");
    const attacks: Record<string, string> = {
      "attack/hls-url.mp4": `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n${metadata}?x=.ts\n#EXTINF:4,\n${canary.url("/internal/a.ts")}#.ts\n#EXT-X-ENDLIST\n`,
      "attack/hls-file.mp4": `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n${hostFile.path}\n#EXT-X-ENDLIST\n`,
      "attack/dash.mp4": `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><BaseURL>${canary.url("/dash/")}</BaseURL><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="320" height="240"><BaseURL>${canary.url("/dash/video.mp4")}</BaseURL></Representation></AdaptationSet></Period></MPD>`,
      "attack/concat.mp4": `ffconcat version 1.0\nfile '${hostFile.path}'\nfile '${canary.url("/concat.mp4")}'\n`,
      "attack/sdp.mp4": `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=attack\nc=IN IP4 127.0.0.1\nt=0 0\nm=video ${canary.port + 1} RTP/AVP 96\na=rtpmap:96 H264/90000\n`,
    };
    await Promise.all(Object.entries(attacks).map(([key, body]) => upload(key, body)));
    for (const key of Object.keys(attacks)) {
      const body = await waitForTerminal(stack.baseUrl, key);
      expect({ key, status: body.status, code: (body.error as { code: string }).code }).toEqual({
        key,
        status: "failed",
        code: "NOT_A_VIDEO",
      });
      // Not analysed, so no thumbnail either: no ffmpeg ever runs over it.
      expect((await fetch(`${stack.baseUrl}/thumbnails/${encodeURIComponent(key)}?t=0`)).status).toBe(404);
    }
    expect(canary.requests).toEqual([]);
    expect(hostFile.opened).toBe(false);
  });

  it("a stream whose frames grow past the pixel cap mid-file fails MEDIA_LIMIT_EXCEEDED (judged by its largest frame)", async () => {
    const grown = Buffer.concat([await readFile(path.join(dir, "small.ts")), await readFile(path.join(dir, "large.ts"))]);
    await upload("attack/grows.ts", grown);
    const body = await waitForTerminal(stack.baseUrl, "attack/grows.ts");
    expect(body).toMatchObject({ status: "failed", error: { code: "MEDIA_LIMIT_EXCEEDED" } });
  });
});

describe("thumbnails cannot be used to start unbounded work", () => {
  const thumbnailProcesses = () => processesMatching(tmpDir).length;

  it("only for analysed videos, through a bounded pool (503 + Retry-After past it), HEAD without ffmpeg, t checked", async () => {
    await upload("clip.mp4", await readFile(path.join(dir, "clip.mp4")));
    expect(await waitForTerminal(stack.baseUrl, "clip.mp4")).toMatchObject({ status: "done" });
    const url = (t: number) => `${stack.baseUrl}/thumbnails/clip.mp4?t=${t}`;

    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, thumbnailProcesses())), 5);
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(url(i * 0.19))));
    clearInterval(sampler);
    expect(peak).toBeLessThanOrEqual(THUMBNAIL_CONCURRENCY);
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    for (const refused of burst.filter((r) => r.status === 503)) expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);

    const ok = await fetch(url(1));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/jpeg");
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(500);

    const head = await fetch(url(3.3), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(thumbnailProcesses()).toBe(0);
    expect((await fetch(url(9999))).status).toBe(400); // past the end: the client's mistake, not a 500
    expect((await fetch(`${stack.baseUrl}/thumbnails/never-uploaded.mp4?t=1`)).status).toBe(404);
  });

  it("a replaced object never serves the old version's frame: thumbnails follow the analysed version", async () => {
    const before = Buffer.from(await (await fetch(`${stack.baseUrl}/thumbnails/clip.mp4?t=1`)).arrayBuffer());
    await upload("clip.mp4", await readFile(path.join(dir, "small.ts")));
    await waitFor(
      async () => ((await getStatus(stack.baseUrl, "clip.mp4")).body.attempts === 2 ? true : undefined),
      30_000,
      "the new version's job",
    );
    expect(await waitForTerminal(stack.baseUrl, "clip.mp4")).toMatchObject({ status: "done", attempts: 2 });
    const after = await fetch(`${stack.baseUrl}/thumbnails/clip.mp4?t=1`);
    expect(after.status).toBe(200);
    expect(Buffer.from(await after.arrayBuffer()).equals(before)).toBe(false);
  });
});

describe("live-stream slots", () => {
  const streamUrl = (key: string) => `${stack.baseUrl}/status/stream/${encodeURIComponent(key)}`;

  beforeAll(async () => {
    // An object in the bucket whose event never comes: its stream stays open (status pending).
    await stack.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: stack.config.BUCKET, NotificationConfiguration: {} }));
    await upload("waiting.mp4", "not analysed");
    expect((await getStatus(stack.baseUrl, "waiting.mp4")).body.status).toBe("pending");
  });

  it("a concurrent burst cannot exceed the cap", async () => {
    const controllers = Array.from({ length: 30 }, () => new AbortController());
    const responses = await Promise.all(controllers.map((c) => fetch(streamUrl("waiting.mp4"), { signal: c.signal })));
    expect(responses.filter((r) => r.status === 200).length).toBe(SSE_MAX_STREAMS);
    expect(responses.filter((r) => r.status === 503).length).toBe(30 - SSE_MAX_STREAMS);
    for (const c of controllers) c.abort();
  });

  it("clients that leave before the first snapshot free their slots; a stream ends after its lifetime", async () => {
    await Promise.all(
      Array.from({ length: 60 }, async () => {
        const controller = new AbortController();
        const request = fetch(streamUrl("waiting.mp4"), { signal: controller.signal }).catch(() => undefined);
        controller.abort();
        await request;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await Promise.all(Array.from({ length: SSE_MAX_STREAMS }, () => fetch(streamUrl("waiting.mp4"))));
    expect(again.map((r) => r.status)).toEqual(Array.from({ length: SSE_MAX_STREAMS }, () => 200));
    const text = await again[0]!.text(); // ends by itself after SSE_MAX_LIFETIME_MS
    expect(text).toContain('event: end\ndata: {"reason":"lifetime"}');
    for (const response of again.slice(1)) await response.body?.cancel();
  });
});
