import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { startStack, type TestStack } from "../helpers/stack.js";

const run = promisify(execFile);

/** npm run upload: uploads, follows each status to the end, prints duplicates or the error code. */
describe("upload CLI", () => {
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "upload-cli-"));
    await renderScenes(path.join(dir, "holiday.mp4"), [
      { source: "mandelbrot=start_scale=2.5", durationSec: 5 },
      { source: "testsrc2", durationSec: 4 },
      { source: "rgbtestsrc", durationSec: 3 },
      { source: "life=seed=1301:mold=10:ratio=0.5", durationSec: 4 },
    ]);
    await transcode(path.join(dir, "holiday.mp4"), path.join(dir, "holiday-360p.mkv"), [
      "-vf",
      "scale=-2:240",
      "-c:v",
      "libx264",
      "-crf",
      "30",
      "-preset",
      "veryfast",
    ]);
    await writeFile(path.join(dir, "notes.mp4"), "not a video\n".repeat(100));
    stack = await startStack("upload-cli");
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    run("npx", ["tsx", "src/cli/upload.ts", ...args], {
      env: {
        ...process.env,
        AWS_ENDPOINT: stack.config.AWS_ENDPOINT!,
        BUCKET: stack.config.BUCKET,
        INSPECTOR_URL: stack.baseUrl,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
    });

  it("uploads, follows each file to its result and prints the duplicates", async () => {
    const first = await cli(["--prefix", "cli/", path.join(dir, "holiday.mp4")]);
    expect(first.stdout).toContain("✔ cli/holiday.mp4: no duplicates");
    const second = await cli(["--prefix", "cli/", path.join(dir, "holiday-360p.mkv")]);
    expect(second.stdout).toMatch(
      /✔ cli\/holiday-360p\.mkv: 1 duplicate\(s\)\n\s+near-duplicate\s+score 0\.\d+\s+cli\/holiday\.mp4\s+\(picture; offset [+-]\d+\.\d\d s; here [\d.]+–[\d.]+ s, there [\d.]+–[\d.]+ s\)/,
    );
  });

  it("exits 1 and prints the error code when a file fails", async () => {
    const failed = await cli([path.join(dir, "notes.mp4")]).then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/✖ notes\.mp4: failed (CORRUPT_MEDIA|NOT_A_VIDEO): /);
  });
});
