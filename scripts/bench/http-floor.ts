/**
 * npm run bench:http-floor — what this machine's HTTP stack can do for GET /status/:file, with
 * no database and no analysis: autocannon (BENCH_CONNECTIONS, default 200) against
 *   1. bare express answering a constant JSON snapshot, and
 *   2. the service's own app (helmet, pino-http, routing, validation) with a status service
 *      that returns the same snapshot from memory.
 * Each server runs in a child process, so it has an event loop (and core) of its own.
 */
import type { StatusService } from "../../src/status/status-service.js";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 10);

async function serve(variant: "bare" | "service"): Promise<void> {
  const express = (await import("express")).default;
  const { pino } = await import("pino");
  const { buildSnapshot } = await import("../../src/status/snapshot.js");
  const snapshot = buildSnapshot({
    bucket: "videos",
    key: "a.mp4",
    status: "done",
    progress: 1,
    attempts: 1,
    takeovers: 0,
    durationSec: 16,
    sceneCuts: [4, 9, 13],
    duplicates: [
      {
        bucket: "videos",
        file: "b.mp4",
        otherDurationSec: 16,
        score: 0.9,
        kind: "near-duplicate",
        offsetSec: 0,
        segment: [0, 16],
        otherSegment: [0, 16],
        moreSegments: [],
        flipped: false,
        rate: 1,
        region: null,
        otherRegion: null,
        evidence: "picture",
        position: { score: 0.9, otherVideoId: "00000000-0000-4000-8000-000000000001" },
      },
    ],
    duplicateCount: 1,
    moreDuplicates: null,
    group: null,
    errorCode: null,
    errorMessage: null,
    updatedAt: new Date(),
  });
  let app;
  if (variant === "bare") {
    app = express();
    app.get("/status/*file", (_req, res) => void res.json(snapshot));
  } else {
    const { createApp } = await import("../../src/http/app.js");
    const { accessControl } = await import("../../src/http/access.js");
    const { SnapshotStreams } = await import("../../src/http/snapshot-stream.js");
    const status = { get: async () => snapshot } as unknown as StatusService;
    app = createApp({
      access: accessControl({ authenticator: undefined, rateLimitPerMinute: 1_000_000, sessionTtlSec: 60 }),
      status,
      streams: new SnapshotStreams(status, { maxStreams: 1, pollMs: 1000, heartbeatMs: 15000, maxLifetimeMs: 30 * 60_000 }),
      pages: express.Router(),
      corsOrigins: [],
      log: pino({ level: "info" }),
      readiness: async () => ({ ready: true, checks: { database: true, storage: true, polling: true, breaker: "closed" as const } }),
      metrics: { contentType: "text/plain", render: async () => "" },
    });
  }
  const server = app.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

const role = process.argv[2];
if (role === "bare" || role === "service") {
  await serve(role);
} else {
  console.log(`HTTP floor — GET /status/:file, ${connections} connections, ${durationSec} s, no database, no analysis\n`);
  console.log(`${"server".padEnd(38)}   req/s   p50 ms   p99 ms`);
  for (const variant of ["bare", "service"] as const) {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), variant], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((resolve) =>
      child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    const result = await autocannon({ url: `http://127.0.0.1:${port}/status/a.mp4`, connections, duration: durationSec });
    const name = variant === "bare" ? "bare express, constant JSON" : "the service's app, snapshot in memory";
    console.log(
      `${name.padEnd(38)} ${result.requests.average.toFixed(0).padStart(7)}   ${String(result.latency.p50).padStart(6)}   ${String(result.latency.p99).padStart(6)}`,
    );
    child.kill();
  }
}
