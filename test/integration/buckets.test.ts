import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import type { StatusSnapshot } from "../../src/status/snapshot.js";
import { uniqueName, waitFor } from "../helpers/env.js";
import { startStack, waitForTerminal, type TestStack } from "../helpers/stack.js";

let dir: string;
let stack: TestStack;
const second = uniqueName("second").toLowerCase();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "buckets-"));
  await renderScenes(path.join(dir, "original.mp4"), [
    { source: "mandelbrot=start_x=-0.1:start_y=0.65:start_scale=0.3", durationSec: 4 },
    { source: "life=seed=2718:ratio=0.35:mold=12", durationSec: 4 },
    { source: "cellauto=rule=150:random_seed=5:random_fill_ratio=0.45", filters: "crop=160:90:0:0", durationSec: 4 },
  ]);
  await transcode(path.join(dir, "original.mp4"), path.join(dir, "copy.mp4"), ["-vf", "scale=-2:240", "-c:v", "libx264", "-crf", "29"]);
  stack = await startStack("buckets", { EXTRA_BUCKETS: second });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const status = async (key: string, query = "") => {
  const response = await fetch(`${stack.baseUrl}/status/${encodeURIComponent(key)}${query}`);
  return { status: response.status, body: (await response.json()) as StatusSnapshot & { error?: { code: string; message: string } } };
};

describe("several buckets, one catalog", () => {
  it("matches across served buckets; each duplicate and each lookup names its bucket", async () => {
    const put = async (bucket: string, key: string) =>
      stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(path.join(dir, key)) }));
    await put(stack.config.BUCKET, "original.mp4");
    await waitForTerminal(stack.baseUrl, "original.mp4");
    await put(second, "copy.mp4");

    const copy = await waitFor(
      async () => {
        const { body } = await status("copy.mp4", `?bucket=${second}`);
        return body.status === "done" || body.status === "failed" ? body : undefined;
      },
      60_000,
      "the copy's analysis in the second bucket",
    );
    expect(copy).toMatchObject({ bucket: second, file: "copy.mp4", status: "done" });
    expect(copy.duplicates.map((d) => [d.bucket, d.file])).toEqual([[stack.config.BUCKET, "original.mp4"]]);
    const original = await status("original.mp4");
    expect(original.body.duplicates.map((d) => [d.bucket, d.file])).toEqual([[second, "copy.mp4"]]);

    // Without ?bucket=, BUCKET is meant: the copy is not there.
    expect((await status("copy.mp4")).status).toBe(404);
    const unserved = await status("copy.mp4", "?bucket=not-served-here");
    expect(unserved.status).toBe(404);
    expect(unserved.body.error?.message).toContain("does not serve the bucket not-served-here");
    expect((await status("copy.mp4", "?bucket=Not_A_Bucket")).status).toBe(400);
    const page = await fetch(`${stack.baseUrl}/thumbnails/copy.mp4?bucket=${second}&t=1`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("image/jpeg");
  });
});
