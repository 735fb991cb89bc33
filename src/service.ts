import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { awsOptions, resultDestinations, servedBuckets, type Config } from "./config.js";
import { describeError } from "./domain/errors.js";
import { createAwsClients } from "./aws/clients.js";
import { closeDb, createDb, pingDb } from "./store/prisma.js";
import { JobStore } from "./store/job-store.js";
import { FingerprintStore } from "./store/fingerprint-store.js";
import { FrameIndex } from "./store/frame-index.js";
import { StatusQueries } from "./store/status-queries.js";
import { ObjectEraser } from "./store/object-eraser.js";
import { ResultOutbox } from "./store/result-outbox.js";
import { ResultDispatcher } from "./results/dispatcher.js";
import { snsSender, sqsSender, webhookSender } from "./results/senders.js";
import { S3ObjectStore } from "./objects/s3-object-store.js";
import { FfmpegAnalyzer } from "./media/ffmpeg-analyzer.js";
import { ThumbnailService } from "./media/thumbnails.js";
import { sweepOrphanedScratch } from "./media/scratch-dir.js";
import { analyzeObject, type IngestDeps } from "./ingest/analyze-object.js";
import { forgetObject } from "./ingest/forget-object.js";
import { createMessageHandler } from "./queue/message-handler.js";
import { CircuitBreaker } from "./queue/breaker.js";
import { QueueConsumer } from "./queue/consumer.js";
import { SqsQueue } from "./queue/sqs-queue.js";
import { connectWithRetry } from "./queue/connect-queue.js";
import { StatusService } from "./status/status-service.js";
import { accessControl } from "./http/access.js";
import { createApp } from "./http/app.js";
import { Authenticator } from "./http/authenticator.js";
import { SnapshotStreams } from "./http/snapshot-stream.js";
import { pageRoutes } from "./http/pages.js";
import { ServiceMetrics } from "./metrics.js";
import { analysisLimits, mediaGuard } from "./wiring.js";

export interface Service {
  /** Starts HTTP and the consumer; resolves once HTTP listens (the queue may come later). */
  start(): Promise<{ port: number }>;
  /** Orderly stop: polling, in-flight jobs (grace period), children, HTTP, database. */
  stop(): Promise<void>;
}

/** A dependency that does not answer a readiness check within this is as good as down. */
const READINESS_TIMEOUT_MS = 2_000;
/** Closing the database pool waits no longer than this at shutdown: every job is settled by then. */
const DB_CLOSE_TIMEOUT_MS = 5_000;

/** A job's lease: half the visibility timeout, so a dead worker's lease has run out when its message returns. */
const leaseMs = (config: Config): number => (config.VISIBILITY_TIMEOUT_SEC * 1000) / 2;

/**
 * The composition root: config → clients → stores → use case → consumer and HTTP.
 * Everything is wired here and nowhere else.
 */
export function createService(config: Config, log: Logger): Service {
  const { s3, sqs, sns } = createAwsClients(awsOptions(config));
  let consumer: QueueConsumer | undefined;
  const metrics = new ServiceMetrics({
    breakerState: () => consumer?.breakerState,
    jobsByStatus: () => statusQueries.countJobsByStatus(),
    parkedResults: () => outbox.countParked(),
  });
  const db = createDb({
    url: config.DATABASE_URL,
    poolMax: config.DB_POOL_MAX,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    onQuery: metrics.queryDone,
  });
  const statusQueries = new StatusQueries(db);
  const outbox = new ResultOutbox(db);
  const dispatcher = new ResultDispatcher(
    outbox,
    {
      sqs: sqsSender(sqs),
      sns: snsSender(sns),
      // Never unsigned: a replica without secrets leaves webhook deliveries to retry (and park) instead.
      ...(config.WEBHOOK_SECRETS.length > 0
        ? { webhook: webhookSender({ secrets: config.WEBHOOK_SECRETS, timeoutMs: config.WEBHOOK_TIMEOUT_MS }) }
        : {}),
    },
    {
      pollMs: config.RESULTS_POLL_MS,
      batch: 16,
      // A send is bounded by the webhook timeout or the AWS idle timeout; the lease outlasts both.
      leaseMs: Math.max(config.WEBHOOK_TIMEOUT_MS, config.AWS_IDLE_TIMEOUT_MS) + 5_000,
      maxAttempts: config.RESULTS_MAX_ATTEMPTS,
      retryBaseMs: config.RESULTS_RETRY_BASE_MS,
      retryMaxMs: config.RESULTS_RETRY_MAX_MS,
    },
    log,
    metrics.resultAttempt,
  );
  const fingerprints = new FingerprintStore(db);
  const objects = new S3ObjectStore(s3);
  const guard = mediaGuard(config, metrics.childKilled);
  const ingest: IngestDeps = {
    jobs: new JobStore(db, resultDestinations(config)),
    identical: fingerprints,
    index: new FrameIndex(db),
    objects,
    media: new FfmpegAnalyzer(guard, analysisLimits(config)),
    maxObjectBytes: config.MAX_OBJECT_BYTES,
    storeCentreStrips: config.INDEX_CENTRE_STRIPS,
    tmpDir: config.TMP_DIR,
    leaseMs: leaseMs(config),
    log,
    onAnalysisFinished: metrics.analysisFinished,
    onInternalError: () => metrics.internalError("analysis"),
  };
  const forget = { objects, catalog: new ObjectEraser(db), log };
  const handler = createMessageHandler(
    {
      created: (object, messageId, signal) => analyzeObject(ingest, object, messageId, signal),
      removed: (object, messageId) => forgetObject(forget, object, messageId),
    },
    { buckets: new Set(servedBuckets(config)), maxRecords: config.MAX_RECORDS_PER_MESSAGE },
    log,
    { internalError: () => metrics.internalError("message") },
  );
  const breaker = new CircuitBreaker({
    failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
    baseOpenMs: config.BREAKER_BASE_OPEN_MS,
    maxOpenMs: config.BREAKER_MAX_OPEN_MS,
    now: Date.now,
    random: Math.random,
  });

  let server: Server | undefined;
  /** Aborted by stop(): ends the queue's connection retries at once. */
  const stopping = new AbortController();
  let queueReady: Promise<void> = Promise.resolve();

  const status = new StatusService(statusQueries, objects, servedBuckets(config), {
    cacheTtlMs: config.STATUS_CACHE_TTL_MS,
    cacheMaxKeys: 10_000,
  });
  const streams = new SnapshotStreams(status, {
    maxStreams: config.SSE_MAX_STREAMS,
    pollMs: config.SSE_POLL_MS,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxLifetimeMs: config.SSE_MAX_LIFETIME_MS,
  });
  const thumbnails = new ThumbnailService(statusQueries, objects, guard, {
    ffmpegPath: config.FFMPEG_PATH,
    timeoutMs: 15_000,
    cacheBytes: 32 * 1024 ** 2,
    concurrency: config.THUMBNAIL_CONCURRENCY,
    queue: config.THUMBNAIL_QUEUE,
    tmpDir: config.TMP_DIR,
    maxObjectBytes: config.MAX_OBJECT_BYTES,
    policy: { maxPixels: config.MAX_VIDEO_PIXELS },
  });
  const authenticator =
    config.AUTH_MODE === "none"
      ? undefined
      : new Authenticator({
          apiKeys: config.API_KEYS,
          ...(config.OIDC_JWKS_URL && config.OIDC_ISSUER && config.OIDC_AUDIENCE
            ? { oidc: { jwksUrl: config.OIDC_JWKS_URL, issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE } }
            : {}),
          ...(config.METRICS_TOKEN_SHA256 ? { metricsTokenSha256: config.METRICS_TOKEN_SHA256 } : {}),
          // Without a configured secret, sessions hold only on the replica that issued them.
          sessionSecret: config.SESSION_SECRET ? Buffer.from(config.SESSION_SECRET) : randomBytes(32),
          sessionTtlSec: config.SESSION_TTL_SEC,
        });
  const app = createApp({
    access: accessControl({ authenticator, rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE, sessionTtlSec: config.SESSION_TTL_SEC }),
    status,
    streams,
    pages: pageRoutes({ status, thumbnails }),
    corsOrigins: config.CORS_ORIGINS,
    log,
    readiness: async () => {
      const [database, storage] = await Promise.all([pingDb(db), objects.reachable(config.BUCKET, READINESS_TIMEOUT_MS)]);
      const polling = consumer?.polling ?? false;
      const breakerState = consumer?.breakerState ?? "closed";
      return {
        ready: database && storage && polling && breakerState !== "open",
        checks: { database, storage, polling, breaker: breakerState },
      };
    },
    metrics: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() },
  });

  /** Finds the queue URL (retrying while it is not there yet), then starts polling it. */
  async function startConsumer(): Promise<void> {
    const queue = await connectWithRetry(() => SqsQueue.connect(sqs, config.QUEUE_NAME), {
      queueName: config.QUEUE_NAME,
      signal: stopping.signal,
      log,
    });
    if (!queue) return;
    log.info({ event: "queue.found", queueUrl: queue.url }, "queue found");
    const options = {
      concurrency: config.CONCURRENCY,
      waitTimeSec: config.WAIT_TIME_SEC,
      visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC,
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      dependenciesUp: () => pingDb(db),
      events: {
        receiveFailed: metrics.receiveFailed,
        messageSettled: metrics.messageSettled,
        internalError: () => metrics.internalError("message"),
      },
    };
    consumer = new QueueConsumer(queue, breaker, handler, options, log);
    consumer.start();
  }

  return {
    async start() {
      const listening = app.listen(config.PORT, config.HOST);
      server = listening;
      await new Promise<void>((resolve, reject) => listening.once("listening", resolve).once("error", reject));
      const { port } = listening.address() as AddressInfo;
      log.info({ event: "http.listening", port }, "http listening");
      try {
        const dirs = await sweepOrphanedScratch(config.TMP_DIR);
        if (dirs.length > 0)
          log.info({ event: "scratch.swept", tmpDir: config.TMP_DIR, dirs }, "removed the scratch directories of workers that died");
      } catch (err) {
        log.warn(
          { event: "scratch.sweep_failed", tmpDir: config.TMP_DIR, err: describeError(err) },
          "could not look for scratch directories left by dead workers",
        );
      }
      queueReady = startConsumer();
      // Every replica delivers: parked or undelivered events of a replica that died are sent by the others.
      dispatcher.start();
      return { port };
    },
    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      await queueReady;
      streams.closeAll();
      await consumer?.stop();
      await dispatcher.stop();
      await guard.killAll();
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeAllConnections();
        await closing;
      }
      if (!(await closeDb(db, DB_CLOSE_TIMEOUT_MS)))
        log.warn(
          { event: "service.db_close_timeout", timeoutMs: DB_CLOSE_TIMEOUT_MS },
          "the database pool did not close in time; stopping anyway",
        );
      s3.destroy();
      sqs.destroy();
      sns.destroy();
    },
  };
}
