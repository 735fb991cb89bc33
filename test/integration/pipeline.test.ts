import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { waitFor } from "../helpers/env.js";
import { getStatus, startStack, type TestStack, waitForTerminal } from "../helpers/stack.js";

interface OpenApi {
  openapi: string;
  components: Record<string, unknown>;
  paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> } }>;
}

/**
 * When videos are uploaded to the bucket, then S3 → SQS → the service → PostgreSQL →
 * GET /status/:file reports each one, with duplicates listed on both sides.
 */
describe("upload → event → analysis → status (moto, PostgreSQL, ffmpeg)", () => {
  let stack: TestStack;
  let dir: string;
  const tmpBefore = new Set<string>();

  const ORIGINAL = "originals/My holiday – café ü.mp4";
  const COPY = "copies/re-encoded 360p.mp4";
  const UNRELATED = "unrelated.mp4";
  const TEXT = "notes.mp4";

  async function upload(key: string, file: string): Promise<void> {
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(file) }));
  }

  beforeAll(async () => {
    for (const entry of await readdir(os.tmpdir())) if (entry.startsWith("tvidz-")) tmpBefore.add(entry);
    dir = await mkdtemp(path.join(os.tmpdir(), "pipeline-fixtures-"));
    // Footage of this test's own: the database is shared with other tests, and two videos that
    // render the same deterministic source (testsrc2, a default mandelbrot, a seeded life) share it.
    await renderScenes(path.join(dir, "original.mp4"), [
      { source: "mandelbrot=start_x=-0.7436:start_y=0.1318:start_scale=0.4", durationSec: 4 },
      { source: "sierpinski=seed=5104:jump=30", durationSec: 5 },
      { source: "life=mold=10:ratio=0.1:seed=5102", durationSec: 4 },
      { source: "smptehdbars", durationSec: 3 },
      { source: "cellauto=rule=110", durationSec: 4 },
      { source: "rgbtestsrc", durationSec: 3 },
    ]);
    await transcode(path.join(dir, "original.mp4"), path.join(dir, "copy.mp4"), [
      "-vf",
      "scale=-2:180",
      "-c:v",
      "libx264",
      "-crf",
      "35",
      "-preset",
      "veryfast",
    ]);
    await renderScenes(path.join(dir, "unrelated.mp4"), [
      { source: "cellauto=rule=30", durationSec: 3.3 },
      { source: "life=seed=7:mold=5", durationSec: 5.9 },
      { source: "mandelbrot=start_scale=2", durationSec: 2.7 },
      { source: "testsrc", durationSec: 4.4 },
    ]);
    await writeFile(path.join(dir, "notes.mp4"), "These are meeting notes, not a video.\n".repeat(50));
    stack = await startStack("pipeline");
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("analyses the original and reports its scene cuts", async () => {
    await upload(ORIGINAL, path.join(dir, "original.mp4"));
    const body = await waitForTerminal(stack.baseUrl, ORIGINAL);
    expect(body).toMatchObject({ file: ORIGINAL, status: "done", progress: 1, duplicates: [] });
    expect(body.durationSec).toBeCloseTo(23, 0);
    expect(body.sceneCuts).toEqual([4, 9, 13, 16, 20]);
  });

  it("lists the original as a duplicate of a re-encoded, resized copy, and the copy on the original", async () => {
    await upload(COPY, path.join(dir, "copy.mp4"));
    const copy = await waitForTerminal(stack.baseUrl, COPY);
    expect(copy.status).toBe("done");
    expect(copy.duplicates).toEqual([expect.objectContaining({ file: ORIGINAL, kind: "near-duplicate" })]);
    expect((copy.duplicates as { score: number }[])[0]?.score).toBeGreaterThanOrEqual(0.8);
    const original = (await getStatus(stack.baseUrl, ORIGINAL)).body;
    expect(original.duplicates).toEqual([expect.objectContaining({ file: COPY, kind: "near-duplicate" })]);
  });

  it("lists no duplicate for an unrelated video", async () => {
    await upload(UNRELATED, path.join(dir, "unrelated.mp4"));
    const body = await waitForTerminal(stack.baseUrl, UNRELATED);
    expect(body).toMatchObject({ status: "done", duplicates: [] });
    expect((body.sceneCuts as number[]).length).toBeGreaterThanOrEqual(3);
  });

  it("reports a byte-identical upload as identical", async () => {
    const key = "copies/exact copy.mp4";
    await upload(key, path.join(dir, "original.mp4"));
    const body = await waitForTerminal(stack.baseUrl, key);
    expect(body.duplicates).toContainEqual(expect.objectContaining({ file: ORIGINAL, kind: "identical", score: 1 }));
    expect(body.sceneCuts).toEqual([4, 9, 13, 16, 20]);
  });

  it("fails a text file named .mp4 with a media error code and deletes its message", async () => {
    await upload(TEXT, path.join(dir, "notes.mp4"));
    const body = await waitForTerminal(stack.baseUrl, TEXT);
    expect(body.status).toBe("failed");
    expect(["NOT_A_VIDEO", "CORRUPT_MEDIA"]).toContain((body.error as { code: string }).code);
    expect((body.error as { message: string }).message).not.toMatch(/\n\s+at /);
    const depth = await waitFor(
      async () => {
        const d = await stack.queueDepth();
        return d.queue === 0 ? d : undefined;
      },
      20_000,
      "an empty queue",
    );
    expect(depth).toEqual({ queue: 0, deadLetter: 0 });
  });

  it("answers 404 for a key that is not in the bucket, 400 for an invalid key, pending for one not yet analysed", async () => {
    expect((await getStatus(stack.baseUrl, "missing.mp4")).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/status/`)).status).toBe(400);
    expect((await getStatus(stack.baseUrl, "k".repeat(1025))).status).toBe(400);
    expect((await fetch(`${stack.baseUrl}/status/bad%E0%A4%A`)).status).toBe(400);
    const body = (await (await fetch(`${stack.baseUrl}/status/`)).json()) as { error: { code: string } };
    expect(body.error.code).toBe("INVALID_KEY");
  });

  it("sends security headers, no CORS headers by default, and never a stack trace", async () => {
    const response = await fetch(`${stack.baseUrl}/status/missing.mp4`, { headers: { Origin: "https://elsewhere.example" } });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(await response.text()).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });

  it("exposes Prometheus metrics: jobs by state, analysis durations, breaker, messages, database latency", async () => {
    const response = await fetch(`${stack.baseUrl}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
    expect(value('tvidz_jobs{status="done"}')).toBeGreaterThanOrEqual(4);
    expect(value('tvidz_jobs{status="failed"}')).toBeGreaterThanOrEqual(1);
    expect(value('tvidz_analysis_duration_seconds_count{outcome="done"}')).toBeGreaterThanOrEqual(4);
    expect(value('tvidz_breaker_state{state="closed"}')).toBe(1);
    expect(value('tvidz_messages_total{decision="delete"}')).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(/^tvidz_db_query_duration_seconds_bucket\{le="0.01",operation="\$queryRaw"\} \d+/m);
    expect(text).toContain("tvidz_queue_receive_errors_total 0");
  });

  it("serves an OpenAPI 3.1 document that the real responses conform to", async () => {
    const document = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as OpenApi;
    expect(document.openapi).toBe("3.1.0");
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: "api", components: document.components });
    // Formats are checked, not ignored: a timestamp that is not one fails the schema.
    const timestamp = ajv.compile({ type: "string", format: "date-time" });
    expect(timestamp("2026-11-29T08:00:00.000Z") && !timestamp("yesterday")).toBe(true);
    const check = async (route: string, template: string, url: string) => {
      const response = await fetch(url);
      const documented = document.paths[template]?.get?.responses[String(response.status)];
      expect(documented, `${route} → ${response.status} is documented`).toBeDefined();
      const schema = documented!.content?.["application/json"]?.schema;
      const validate = ajv.compile({ $ref: `api${schema!.$ref!}` });
      const body: unknown = await response.json();
      expect(validate(body), `${route} → ${response.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    };
    await check("status done", "/status/{file}", `${stack.baseUrl}/status/${encodeURIComponent(ORIGINAL)}`);
    await check("status failed", "/status/{file}", `${stack.baseUrl}/status/${encodeURIComponent(TEXT)}`);
    await check("status missing", "/status/{file}", `${stack.baseUrl}/status/missing.mp4`);
    await check("status invalid", "/status/{file}", `${stack.baseUrl}/status/${"k".repeat(1100)}`);
    await check("readiness", "/readyz", `${stack.baseUrl}/readyz`);
    await check("health", "/healthz", `${stack.baseUrl}/healthz`);
    await check("recent videos", "/api/videos", `${stack.baseUrl}/api/videos`);
  });

  it("refuses request bodies beyond 1 KB, and has no admin or write endpoints", async () => {
    const big = await fetch(`${stack.baseUrl}/status/x.mp4`, { method: "POST", body: "x".repeat(64 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    // A write method on a read-only path is 405 (Allow: GET, HEAD); paths that do not exist are 404.
    for (const [method, route, status] of [
      ["DELETE", "/status/x.mp4", 405],
      ["POST", "/clear", 404],
      ["DELETE", "/videos", 404],
      ["GET", "/admin", 404],
      ["GET", "/debug", 404],
    ] as const) {
      const response = await fetch(`${stack.baseUrl}${route}`, { method });
      expect(response.status, `${method} ${route}`).toBe(status);
      if (status === 405) expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
  });

  it("leaves no temporary files behind", async () => {
    const leftovers = (await readdir(os.tmpdir())).filter((e) => e.startsWith("tvidz-") && !tmpBefore.has(e));
    expect(leftovers).toEqual([]);
  });
});
