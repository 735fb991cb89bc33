/**
 * An object store that stalls: a download that stops half-way, an endpoint that accepts and
 * never answers. Nothing may hang on it: the job is released, status answers 503, readiness
 * says so.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { requireEnv, waitFor } from "../helpers/env.js";
import { getStatus, readLogs, startStack, type TestStack } from "../helpers/stack.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

let stack: TestStack;
let proxy: TcpProxy;

beforeAll(async () => {
  const endpoint = new URL(requireEnv("TEST_AWS_ENDPOINT"));
  proxy = await TcpProxy.start({ host: endpoint.hostname, port: Number(endpoint.port) });
  stack = await startStack("storage-stall", {
    AWS_ENDPOINT: proxy.url(endpoint.toString()),
    AWS_IDLE_TIMEOUT_MS: "1500",
    AWS_CONNECT_TIMEOUT_MS: "1000",
  });
});

afterAll(async () => {
  proxy.stallAfterBytes = Infinity;
  await stack?.stop();
  await proxy?.close();
});

describe("a stalling object store", () => {
  it("a download that stops after 1 MB fails STORAGE_UNAVAILABLE within the idle timeout; the job is released, not left analyzing", async () => {
    proxy.stallAfterBytes = 1_000_000;
    const started = Date.now();
    await stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: "big.mp4", Body: randomBytes(4_000_000) }));
    const interrupted = await waitFor(
      async () => (await readLogs("storage-stall")).find((l) => l.event === "job.interrupted" && l.key === "big.mp4"),
      30_000,
      "the stalled download to fail",
    );
    expect(String(interrupted.err)).toMatch(/^STORAGE_UNAVAILABLE/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await getStatus(stack.baseUrl, "big.mp4")).body.status).toBe("pending");
  });

  it("a frozen endpoint: readiness says storage:false within its timeout, and a status lookup answers 503 instead of hanging", async () => {
    proxy.stallAfterBytes = 0;
    const readyAt = Date.now();
    const ready = await fetch(`${stack.baseUrl}/readyz`);
    expect(Date.now() - readyAt).toBeLessThan(5_000);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { storage: boolean } }).checks.storage).toBe(false);

    const statusAt = Date.now();
    const status = await fetch(`${stack.baseUrl}/status/never-seen.mp4`);
    expect(Date.now() - statusAt).toBeLessThan(10_000);
    expect(status.status).toBe(503);
    expect(((await status.json()) as { error: { code: string } }).error.code).toBe("STORAGE_UNAVAILABLE");

    proxy.stallAfterBytes = Infinity;
    await waitFor(
      async () => ((await fetch(`${stack.baseUrl}/readyz`)).status === 200 ? true : undefined),
      30_000,
      "readiness once the store answers",
    );
  });
});
