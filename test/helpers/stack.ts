import { mkdirSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { loadConfig, type Config } from "../../src/config.js";
import { createService, type Service } from "../../src/service.js";
import { bootstrap } from "../../scripts/lib/bootstrap.js";
import { requireEnv, uniqueName } from "./env.js";

export const OUTPUT_DIR = path.resolve("test-output");

export interface TestStack {
  readonly config: Config;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly baseUrl: string;
  readonly service: Service;
  /** Messages visible + in flight in the work queue and in its dead-letter queue. */
  queueDepth(): Promise<{ queue: number; deadLetter: number }>;
  stop(): Promise<void>;
}

export function awsClients(): { s3: S3Client; sqs: SQSClient } {
  const endpoint = requireEnv("TEST_AWS_ENDPOINT");
  const common = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), sqs: new SQSClient(common) };
}

/**
 * A bucket and queue of its own (bootstrapped like production), and the real service
 * running in this process against moto and the test database. Logs go to test-output/.
 */
export async function startStack(name: string, overrides: Record<string, string> = {}): Promise<TestStack> {
  const { s3, sqs } = awsClients();
  const bucket = uniqueName(name).toLowerCase().slice(0, 63);
  const queueName = uniqueName(`q-${name}`);
  const config = loadConfig({
    AWS_ENDPOINT: requireEnv("TEST_AWS_ENDPOINT"),
    DATABASE_URL: requireEnv("TEST_DATABASE_URL"),
    AWS_REGION: "us-east-1",
    BUCKET: bucket,
    QUEUE_NAME: queueName,
    PORT: "0",
    HOST: "127.0.0.1",
    WAIT_TIME_SEC: "1",
    VISIBILITY_TIMEOUT_SEC: "30",
    SHUTDOWN_GRACE_MS: "5000",
    ...overrides,
  });
  await bootstrap(s3, sqs, { region: "us-east-1", bucket, queueName, visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC, maxReceiveCount: 5, corsOrigins: ["*"] });

  mkdirSync(path.join(OUTPUT_DIR, "logs"), { recursive: true });
  const log = pino({ level: "debug" }, pino.destination({ dest: path.join(OUTPUT_DIR, "logs", `${name}.log`), sync: true }));
  const service = createService(config, log);
  const { port } = await service.start();

  const depth = async (queue: string) => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };

  return {
    config,
    s3,
    sqs,
    service,
    baseUrl: `http://127.0.0.1:${port}`,
    queueDepth: async () => ({ queue: await depth(queueName), deadLetter: await depth(`${queueName}-dlq`) }),
    async stop() {
      await service.stop();
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
