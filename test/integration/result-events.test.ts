import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { renderScenes, transcode } from "../../scripts/lib/media-fixtures.js";
import { ResultEventSchema, type ResultEvent } from "../../src/results/result-event.js";
import { requireEnv, uniqueName, waitFor } from "../helpers/env.js";
import { spawnService, type ServiceProcess } from "../helpers/service-process.js";
import { provisionQueue, startStack, testDb, waitForTerminal, type TestStack } from "../helpers/stack.js";

const SECRET = "a-webhook-secret-of-at-least-32-chars";
const db = testDb();
let dir: string;

/** The README's receiver snippet, run as written: the documented recipe is the one tested. */
async function readmeVerifier(): Promise<(secret: string, headers: IncomingHttpHeaders, rawBody: string) => boolean> {
  const readme = await readFile("README.md", "utf8");
  const snippet = /```js\n(\/\/ verify-tvidz-webhook[\s\S]*?)```/.exec(readme)?.[1];
  if (!snippet) throw new Error("README has no verify-tvidz-webhook snippet");
  return runInNewContext(`${snippet}\nverifyTvidzWebhook;`, { require: createRequire(import.meta.url), Buffer }) as never;
}

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answered: number | "hung";
}

/**
 * A webhook receiver on loopback. /flaky answers 500 to an event's first three requests and
 * 200 after; /down always 503; /hang never answers an event's first request.
 */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = `${req.url}:${String(req.headers["tvidz-event-id"])}`;
      const nth = (seen.get(id) ?? 0) + 1;
      seen.set(id, nth);
      const answer = req.url === "/down" ? 503 : req.url === "/flaky" && nth <= 3 ? 500 : req.url === "/hang" && nth === 1 ? "hung" : 200;
      received.push({ path: req.url ?? "", headers: req.headers, body, answered: answer });
      if (answer !== "hung") res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

async function drain(sqs: SQSClient, queueUrl: string, count: number): Promise<ResultEvent[]> {
  const events: ResultEvent[] = [];
  await waitFor(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      events.push(...Messages.map((m) => ResultEventSchema.parse(JSON.parse(m.Body ?? ""))));
      return events.length >= count ? true : undefined;
    },
    30_000,
    `${count} result events in ${queueUrl}`,
  );
  return events;
}

const eventsAt = (received: readonly Received[], at: string) =>
  received.filter((r) => r.path === at).map((r) => ({ ...r, event: ResultEventSchema.parse(JSON.parse(r.body)) }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "results-"));
  await renderScenes(path.join(dir, "original.mp4"), [
    { source: "mandelbrot=start_x=-0.75:start_y=0.1:start_scale=0.5", durationSec: 4 },
    { source: "life=seed=4242:ratio=0.25:mold=8", durationSec: 4 },
    { source: "cellauto=rule=90:random_seed=9:random_fill_ratio=0.5", filters: "crop=160:90:0:0", durationSec: 4 },
  ]);
  await transcode(path.join(dir, "original.mp4"), path.join(dir, "copy.mp4"), ["-vf", "scale=-2:240", "-c:v", "libx264", "-crf", "30"]);
}, 120_000);

afterAll(async () => {
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("result events: outbox, SQS, SNS and signed webhooks", () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let resultsQueue: string;
  let topicQueue: string;
  const sns = new SNSClient({ endpoint: requireEnv("TEST_AWS_ENDPOINT"), region: "us-east-1" });

  beforeAll(async () => {
    receiver = await startReceiver();
    const probe = await provisionQueue("results-aws");
    const queue = async (name: string) => (await probe.sqs.send(new CreateQueueCommand({ QueueName: uniqueName(name) }))).QueueUrl ?? "";
    resultsQueue = await queue("results");
    topicQueue = await queue("results-topic");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("results") }));
    const { Attributes } = await probe.sqs.send(new GetQueueAttributesCommand({ QueueUrl: topicQueue, AttributeNames: ["QueueArn"] }));
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes?.QueueArn, Attributes: { RawMessageDelivery: "true" } }),
    );
    stack = await startStack("results", {
      RESULTS_QUEUE_URL: resultsQueue,
      RESULTS_TOPIC_ARN: TopicArn ?? "",
      WEBHOOK_URLS: `${receiver.url}/flaky,${receiver.url}/down`,
      WEBHOOK_SECRETS: SECRET,
      RESULTS_POLL_MS: "100",
      RESULTS_RETRY_BASE_MS: "200",
      RESULTS_RETRY_MAX_MS: "800",
      RESULTS_MAX_ATTEMPTS: "4",
      WEBHOOK_TIMEOUT_MS: "3000",
    });
  });
  afterAll(async () => {
    await stack?.stop();
    receiver?.server.close();
    sns.destroy();
  });

  it("delivers done and duplicates.added exactly once per event id to a receiver that fails three times; SQS and SNS get the same events", async () => {
    const put = async (key: string) =>
      stack.s3.send(new PutObjectCommand({ Bucket: stack.config.BUCKET, Key: key, Body: await readFile(path.join(dir, key)) }));
    await put("original.mp4");
    await waitForTerminal(stack.baseUrl, "original.mp4");
    await put("copy.mp4");
    await waitForTerminal(stack.baseUrl, "copy.mp4");

    const accepted = await waitFor(
      async () => {
        const ok = eventsAt(receiver.received, "/flaky").filter((r) => r.answered === 200);
        return ok.length >= 3 ? ok : undefined;
      },
      60_000,
      "three events accepted by the flaky receiver",
    );
    const byType = Object.fromEntries(accepted.map((r) => [`${r.event.type} ${r.event.key}`, r.event]));
    expect(Object.keys(byType).sort()).toEqual(["analysis.done copy.mp4", "analysis.done original.mp4", "duplicates.added original.mp4"]);
    expect(byType["duplicates.added original.mp4"]?.addedDuplicate).toEqual({ bucket: stack.config.BUCKET, key: "copy.mp4" });
    expect(byType["duplicates.added original.mp4"]?.snapshot.duplicates.map((d) => d.file)).toEqual(["copy.mp4"]);
    expect(byType["analysis.done copy.mp4"]?.snapshot.duplicates.map((d) => [d.bucket, d.file])).toEqual([
      [stack.config.BUCKET, "original.mp4"],
    ]);
    expect(byType["analysis.done copy.mp4"]?.version.etag).toMatch(/^[0-9a-f]{32}$/);

    // Exactly once per id: four attempts each (three refused), one accepted; the id is stable across retries.
    const ids = accepted.map((r) => r.event.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      const attempts = eventsAt(receiver.received, "/flaky").filter((r) => r.event.id === id);
      expect(attempts.map((a) => a.answered)).toEqual([500, 500, 500, 200]);
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    }

    const verify = await readmeVerifier();
    for (const request of receiver.received) expect(verify(SECRET, request.headers, request.body)).toBe(true);
    const [first] = receiver.received;
    expect(verify("another-secret-of-at-least-32-chars!", first!.headers, first!.body)).toBe(false);
    expect(verify(SECRET, first!.headers, first!.body.replace("done", "dona"))).toBe(false);
    expect(verify(SECRET, { ...first!.headers, "tvidz-timestamp": String(Math.floor(Date.now() / 1000) - 3600) }, first!.body)).toBe(false);

    for (const url of [resultsQueue, topicQueue]) {
      const events = await drain(stack.sqs, url, 3);
      expect(events.map((e) => e.id).sort()).toEqual([...ids].sort());
    }
  });

  it("parks what a receiver never accepts, counts it in /metrics and keeps it in the outbox", async () => {
    const parked = await waitFor(
      async () => {
        const rows = await db.resultDelivery.findMany({ where: { destination: `webhook:${receiver.url}/down`, parkedAt: { not: null } } });
        return rows.length >= 3 ? rows : undefined;
      },
      60_000,
      "three parked deliveries",
    );
    expect(parked.map((p) => p.attempts)).toEqual([4, 4, 4]);
    expect(parked[0]?.lastError).toContain("HTTP 503");
    expect(eventsAt(receiver.received, "/down")).toHaveLength(12);
    const metrics = await (await fetch(`${stack.baseUrl}/metrics`)).text();
    expect(Number(/^tvidz_result_events_parked (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/^tvidz_result_deliveries_total\{destination="webhook",outcome="parked"\} 3$/m);
    // Nothing else is left: every other delivery was accepted and removed.
    expect(
      await db.resultDelivery.count({
        where: { destination: { not: `webhook:${receiver.url}/down` }, video: { bucket: stack.config.BUCKET } },
      }),
    ).toBe(0);
  });
});

describe("result events survive SIGKILL between the commit and the send", () => {
  let service: ServiceProcess | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  afterAll(async () => {
    await service?.stop("SIGKILL");
    receiver?.server.close();
  });

  it("a replica killed while sending: the restarted service delivers the same event", async () => {
    receiver = await startReceiver();
    const queue = await provisionQueue("results-kill9", {
      WEBHOOK_URLS: `${receiver.url}/hang`,
      WEBHOOK_SECRETS: SECRET,
      RESULTS_POLL_MS: "100",
      WEBHOOK_TIMEOUT_MS: "4000",
      AWS_IDLE_TIMEOUT_MS: "4000",
    });
    service = await spawnService("results-kill9", queue.env);
    await queue.s3.send(
      new PutObjectCommand({ Bucket: queue.env.BUCKET, Key: "original.mp4", Body: await readFile(path.join(dir, "original.mp4")) }),
    );
    // The result is committed (the event exists only with it) and the send is in flight: kill.
    const hung = await waitFor(async () => eventsAt(receiver.received, "/hang")[0], 60_000, "the first delivery attempt");
    await service.stop("SIGKILL");
    expect(hung.event.snapshot.status).toBe("done");

    service = await spawnService("results-kill9-restarted", queue.env);
    // The video may have more events than this one (duplicates.added for the finished videos it
    // matched, in this file's other buckets): each one's first request hung, and they may arrive
    // in any order after the restart.
    const delivered = await waitFor(
      async () => eventsAt(receiver.received, "/hang").find((r) => r.answered === 200 && r.event.id === hung.event.id),
      30_000,
      "the hung event delivered after the restart",
    );
    expect(delivered.body).toBe(hung.body);
    await waitFor(
      async () => ((await db.resultDelivery.count({ where: { video: { bucket: queue.env.BUCKET } } })) === 0 ? true : undefined),
      10_000,
      "the outbox emptied",
    );
    await waitForTerminal(service.baseUrl, "original.mp4");
  });
});
