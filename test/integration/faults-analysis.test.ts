import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { fakeTool, processesMatching } from "../helpers/processes.js";
import { getStatus, readLogs, startStack, waitForTerminal, testDb } from "../helpers/stack.js";

const FFMPEG = process.env.FFMPEG_PATH ?? "ffmpeg";
const FFPROBE = process.env.FFPROBE_PATH ?? "ffprobe";

let fixtures: string;
let video: Buffer;
const db = testDb();

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "faults-analysis-"));
  // Footage of its own: the test database is shared, and another file's video must not
  // match this one.
  await renderScenes(path.join(fixtures, "clip.mp4"), [
    { source: "life=seed=601:mold=10:ratio=0.2", durationSec: 3 },
    { source: "mandelbrot=start_scale=1.7", durationSec: 3 },
    { source: "cellauto=rule=126:random_seed=3", durationSec: 2 },
  ]);
  video = await readFile(path.join(fixtures, "clip.mp4"));
});

afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
  await db.$disconnect();
});

async function tvidzTempEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((e) => e.startsWith("tvidz-"));
}

describe("hung or runaway ffmpeg / ffprobe", () => {
  for (const tool of ["ffprobe", "ffmpeg"] as const) {
    it(`a ${tool} that ignores SIGTERM is killed with its whole tree; the job fails ANALYSIS_TIMEOUT; nothing is left behind`, async () => {
      const hung = await fakeTool("hung", tool === "ffmpeg" ? FFMPEG : FFPROBE);
      const tmpDir = await mkdtemp(path.join(os.tmpdir(), "faults-tmp-"));
      const stack = await startStack(`hung-${tool}`, {
        [tool === "ffmpeg" ? "FFMPEG_PATH" : "FFPROBE_PATH"]: hung.path,
        PROBE_TIMEOUT_MS: "1500",
        ANALYSIS_TIMEOUT_BASE_MS: "1500",
        ANALYSIS_TIMEOUT_PER_SEC_MS: "1",
        KILL_GRACE_MS: "300",
        TMP_DIR: tmpDir,
      });
      try {
        await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: "stuck.mp4", Body: video }));
        const body = await waitForTerminal(stack.baseUrl, "stuck.mp4");
        expect(body).toMatchObject({ status: "failed", error: { code: "ANALYSIS_TIMEOUT" } });
        expect(processesMatching(hung.marker)).toEqual([]);
        const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
        expect(metrics).toContain(`tvidz_child_process_kills_total{tool="${tool}",reason="timeout"} 1`);
        expect(await tvidzTempEntries(tmpDir)).toEqual([]);
        await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 15_000, "the message to be deleted");
      } finally {
        await stack.stop();
        await rm(tmpDir, { recursive: true, force: true });
        await rm(path.dirname(hung.path), { recursive: true, force: true });
      }
    });
  }
});

describe("an analysis longer than the visibility timeout", () => {
  it("keeps its message invisible with heartbeats, so a second replica never starts it; processed once", async () => {
    // Visibility 10 s (SQS's minimum here); ffmpeg starts only after 14 s.
    const slow = await fakeTool("slow", FFMPEG, 14);
    const stack = await startStack("slow-analysis", { FFMPEG_PATH: slow.path, VISIBILITY_TIMEOUT_SEC: "10" });
    try {
      const replica = await stack.addReplica("slow-analysis-replica", { FFMPEG_PATH: slow.path, VISIBILITY_TIMEOUT_SEC: "10" });
      await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: "slow.mp4", Body: video }));
      const body = await waitForTerminal(stack.baseUrl, "slow.mp4", 90_000);
      expect(body).toMatchObject({ status: "done", attempts: 1, takeovers: 0 });
      expect((await getStatus(replica.baseUrl, "slow.mp4")).body).toEqual(body);
      const job = await db.job.findFirstOrThrow({ where: { video: { bucket: stack.config.BUCKET, key: "slow.mp4" } } });
      expect(job.attempts).toBe(1);
      // Each replica's log: the key was analysed by exactly one of them, once.
      const started = await Promise.all(
        ["slow-analysis", "slow-analysis-replica"].map(
          async (name) =>
            (await readLogs(name)).filter(
              (l) => l.key === "slow.mp4" && ["job.analyzing", "job.taken_over", "event.held_elsewhere"].includes(String(l.event)),
            ).length,
        ),
      );
      expect(started.reduce((a, b) => a + b, 0)).toBe(1);
      await waitFor(async () => ((await stack.queueDepth()).queue === 0 ? true : undefined), 15_000, "the message to be deleted");
    } finally {
      await stack.stop();
      await rm(path.dirname(slow.path), { recursive: true, force: true });
    }
  });
});
