import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pino } from "pino";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { loadConfig, type Config } from "../../src/config.js";
import { createService, type Service } from "../../src/service.js";
import { createDb, type Db } from "../../src/store/prisma.js";
import { localAwsClients, provisionBucket } from "../../scripts/lib/stack-utils.js";
import { requireEnv, uniqueName, waitFor } from "./env.js";

export const OUTPUT_DIR = path.resolve("test-output");

/** A client of the test database, for tests that look at rows directly. */
export function testDb(poolMax = 2): Db {
  return createDb({ url: requireEnv("TEST_DATABASE_URL"), poolMax, connectTimeoutMs: 5000, statementTimeoutMs: 30_000 });
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Names of the service logs this test file has started, for the failure report (failure-logs.ts). */
export const launchedServiceLogs = new Set<string>();

/** The JSON log lines a service of this test run wrote to test-output/logs/<name>.log. */
export async function readLogs(name: string): Promise<LogLine[]> {
  const text = await readFile(path.join(OUTPUT_DIR, "logs", `${name}.log`), "utf8");
  return text.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

export interface TestStack {
  readonly config: Config;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly baseUrl: string;
  readonly service: Service;
  /** Messages visible + in flight in the work queue and in its dead-letter queue. */
  queueDepth(): Promise<{ queue: number; deadLetter: number }>;
  /** Another service instance in this process on the same bucket, queue and database. */
  addReplica(name: string, overrides?: Record<string, string>): Promise<{ service: Service; baseUrl: string }>;
  stop(): Promise<void>;
}

export function awsClients(): { s3: S3Client; sqs: SQSClient } {
  return localAwsClients(requireEnv("TEST_AWS_ENDPOINT"));
}

/** A bucket and queue of their own, bootstrapped like production, and the service's env for them. */
export interface ProvisionedQueue {
  readonly env: Record<string, string>;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** Messages visible + in flight in the work queue and in its dead-letter queue. */
  readonly queueDepth: () => Promise<{ queue: number; deadLetter: number }>;
}

export async function provisionQueue(
  name: string,
  overrides: Record<string, string> = {},
  options: { maxReceiveCount?: number } = {},
): Promise<ProvisionedQueue> {
  const { s3, sqs } = awsClients();
  const bucket = uniqueName(name).toLowerCase().slice(0, 63);
  const queueName = uniqueName(`q-${name}`);
  const env = {
    AWS_ENDPOINT: requireEnv("TEST_AWS_ENDPOINT"),
    DATABASE_URL: requireEnv("TEST_DATABASE_URL"),
    AWS_REGION: "us-east-1",
    BUCKET: bucket,
    QUEUE_NAME: queueName,
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_MODE: "none",
    WAIT_TIME_SEC: "1",
    VISIBILITY_TIMEOUT_SEC: "30",
    SHUTDOWN_GRACE_MS: "5000",
    ...overrides,
  };
  const { VISIBILITY_TIMEOUT_SEC: visibilityTimeoutSec, EXTRA_BUCKETS: extraBuckets } = loadConfig(env);
  const { queueDepth } = await provisionBucket(s3, sqs, {
    bucket,
    extraBuckets,
    queueName,
    visibilityTimeoutSec,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    corsOrigins: ["*"],
  });
  return { env, s3, sqs, queueDepth };
}

/**
 * A provisioned bucket and queue, and the real service running in this process against moto
 * and the test database. Logs go to test-output/.
 */
export async function startStack(
  name: string,
  overrides: Record<string, string> = {},
  options: { maxReceiveCount?: number } = {},
): Promise<TestStack> {
  const { env: configEnv, s3, sqs, queueDepth } = await provisionQueue(name, overrides, options);
  const config = loadConfig(configEnv);

  const services: Service[] = [];
  const launch = async (logName: string, serviceConfig: Config) => {
    mkdirSync(path.join(OUTPUT_DIR, "logs"), { recursive: true });
    launchedServiceLogs.add(logName);
    const log = pino(
      { level: "debug" },
      pino.destination({ dest: path.join(OUTPUT_DIR, "logs", `${logName}.log`), sync: true, append: false }),
    );
    const service = createService(serviceConfig, log);
    services.push(service);
    const { port } = await service.start();
    return { service, baseUrl: `http://127.0.0.1:${port}` };
  };
  const { service, baseUrl } = await launch(name, config);

  return {
    config,
    s3,
    sqs,
    service,
    baseUrl,
    queueDepth,
    addReplica: (replicaName, replicaOverrides = {}) => launch(replicaName, loadConfig({ ...configEnv, ...replicaOverrides })),
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** GET /status/<encoded key> → HTTP status and JSON body. */
export async function getStatus(baseUrl: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/status/${encodeURIComponent(key)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls GET /status/:file until the object is `done` or `failed`; returns that body. */
export async function waitForTerminal(baseUrl: string, key: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const { status, body } = await getStatus(baseUrl, key);
      return status === 200 && (body.status === "done" || body.status === "failed") ? body : undefined;
    },
    timeoutMs,
    `a terminal status for ${key}`,
  );
}
