/**
 * Contract fuzzing: schemathesis (PyPI, in the project's venv) against the running service's
 * own /openapi.json, bounded in time (90 s). It must find no server error, and every status and body
 * must be the ones documented. Keys that exist (an analysed video) are given to it as examples,
 * so its requests reach the real handlers, thumbnails included, not only 404s.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { renderScenes } from "../../scripts/lib/media-fixtures.js";
import { requireEnv } from "../helpers/env.js";
import { startStack, waitForTerminal, type TestStack } from "../helpers/stack.js";

const run = promisify(execFile);
const KEYS = ["clip.mp4", "folder/with space+plus.mp4"];

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fuzz-"));
  await renderScenes(path.join(dir, "clip.mp4"), [
    { source: "life=seed=5:mold=10:ratio=0.1", durationSec: 3 },
    { source: "testsrc2", durationSec: 3 },
  ]);
  stack = await startStack("contract-fuzz", { THUMBNAIL_QUEUE: "64", RATE_LIMIT_PER_MINUTE: "100000" });
  for (const key of KEYS)
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, "clip.mp4")) }));
  for (const key of KEYS) expect(await waitForTerminal(stack.baseUrl, key)).toMatchObject({ status: "done" });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Parameter = { name: string; in: string; examples?: Record<string, { value: unknown }> };
type Document = { paths: Record<string, { get?: { parameters?: Parameter[] } }> };

describe("contract fuzzing (schemathesis)", () => {
  it("finds no server error and no undocumented status or body, with real keys among its inputs", async () => {
    const document = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as Document;
    for (const operation of Object.values(document.paths)) {
      for (const parameter of operation.get?.parameters ?? []) {
        if (parameter.name === "file") parameter.examples = Object.fromEntries(KEYS.map((key, i) => [`existing${i}`, { value: key }]));
        if (parameter.name === "t") parameter.examples = { start: { value: 0 }, middle: { value: 2.5 }, pastTheEnd: { value: 9999 } };
      }
    }
    const schema = path.join(dir, "openapi.json");
    await writeFile(schema, JSON.stringify(document));
    const schemathesis = path.join(path.dirname(requireEnv("TEST_MOTO_BIN")), "schemathesis");
    // prettier-ignore
    const args = ["run", schema, "--url", stack.baseUrl, "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
      "--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--max-time", "90", "--workers", "1", "--seed", "20261129",
      "--request-timeout", "15", "--exclude-path", "/status/stream/{file}"];
    const result = await run(schemathesis, args, { cwd: dir, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? 1,
        output: `${err.stdout ?? ""}${err.stderr ?? ""}`,
      }),
    );
    expect(result.code, result.output.slice(-6000)).toBe(0);
  }, 240_000);
});
