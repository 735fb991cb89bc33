import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueUrlCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { spawnService, type ServiceProcess } from "../helpers/service-process.js";
import { provisionQueue, testDb, waitForTerminal, type ProvisionedQueue } from "../helpers/stack.js";

const run = promisify(execFile);
const db = testDb();
const KEYS = ["legacy/a.mp4", "legacy/b c.mp4", "legacy/c+d.mp4"];
let dir: string;
let queue: ProvisionedQueue;
let service: ServiceProcess | undefined;

interface Summary {
  listed: number;
  enqueued: number;
  skippedAnalysed: number;
  skippedOlder: number;
  done: number;
  stopped: boolean;
  resumeAfter: string | null;
}

/** `npm run backfill -- …` as an operator runs it (the source entry point), with the service's environment. */
async function backfill(...args: string[]): Promise<Summary> {
  const { stdout } = await run("node", ["--import", "tsx", "src/cli/backfill.ts", "--json", ...args], {
    env: { ...process.env, ...queue.env },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Summary;
}

const jobs = () => db.job.findMany({ where: { video: { bucket: queue.env.BUCKET } }, include: { video: { select: { key: true } } } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "backfill-"));
  queue = await provisionQueue("backfill");
  for (const [i, key] of KEYS.entries()) {
    const file = path.join(dir, `${i}.mp4`);
    await renderScenes(file, [
      { source: `life=seed=${900 + i}:ratio=0.3:mold=10`, durationSec: 3 },
      { source: `cellauto=rule=${30 + i * 15}:random_seed=${i}`, durationSec: 3 },
    ]);
    await queue.s3.send(new PutObjectCommand({ Bucket: queue.env.BUCKET, Key: key, Body: await readFile(file) }));
  }
  // The bucket as a service meets it on day one: objects whose notifications it never saw.
  const { QueueUrl } = await queue.sqs.send(new GetQueueUrlCommand({ QueueName: queue.env.QUEUE_NAME }));
  await queue.sqs.send(new PurgeQueueCommand({ QueueUrl }));
  await waitFor(async () => ((await queue.queueDepth()).queue === 0 ? true : undefined), 10_000, "an empty queue");
}, 120_000);

afterAll(async () => {
  await service?.stop("SIGTERM");
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("npm run backfill", () => {
  it("--dry-run counts; --prefix and --since narrow the walk", async () => {
    expect(await backfill("--dry-run")).toMatchObject({ listed: 3, enqueued: 3, skippedAnalysed: 0 });
    expect(await backfill("--dry-run", "--prefix", "legacy/b")).toMatchObject({ listed: 1, enqueued: 1 });
    expect(await backfill("--dry-run", "--since", "2099-01-01")).toMatchObject({ listed: 3, enqueued: 0, skippedOlder: 3 });
    expect((await queue.queueDepth()).queue).toBe(0);
    expect(await jobs()).toEqual([]);
  });

  it("killed half-way and run again, every object is analysed exactly once; a third run finds nothing to do", async () => {
    service = await spawnService("backfill-service", queue.env);
    // One object a second: killed after the first is sent.
    const first = spawn("node", ["--import", "tsx", "src/cli/backfill.ts", "--rate", "1"], {
      env: { ...process.env, ...queue.env },
      stdio: "ignore",
    });
    await waitFor(
      async () => ((await jobs()).length > 0 || (await queue.queueDepth()).queue > 0 ? true : undefined),
      30_000,
      "a first message",
    );
    first.kill("SIGKILL");

    const second = await backfill("--wait");
    expect(second.listed).toBe(3);
    expect(second.enqueued + second.skippedAnalysed).toBe(3);
    expect(second.enqueued).toBeGreaterThanOrEqual(2);
    for (const key of KEYS) expect(await waitForTerminal(service.baseUrl, key)).toMatchObject({ status: "done", attempts: 1 });
    const finished = await jobs();
    expect(finished.map((j) => j.video.key).sort()).toEqual([...KEYS].sort());
    expect(finished.map((j) => j.attempts)).toEqual([1, 1, 1]);

    expect(await backfill()).toMatchObject({ listed: 3, enqueued: 0, skippedAnalysed: 3, stopped: false });
    await waitFor(async () => ((await queue.queueDepth()).queue === 0 ? true : undefined), 30_000, "the queue drained");
    expect((await jobs()).map((j) => j.attempts)).toEqual([1, 1, 1]);
  });

  it("refuses a bucket the service does not serve", async () => {
    await expect(backfill("--bucket", "someone-elses-bucket")).rejects.toMatchObject({ code: 2 });
  });
});
