#!/usr/bin/env node
/**
 * tvidz-backfill (npm run backfill -- [options]): hands every object of a bucket that the
 * catalog has not analysed yet (same key and ETag) to the service through its queue, as the
 * S3 notification it would have had. See README "Backfilling an existing bucket".
 */
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { z } from "zod";
import { createAwsClients, describeAwsError } from "../aws/clients.js";
import { awsOptions, ConfigError, loadConfig, servedBuckets } from "../config.js";
import { InspectorError } from "../domain/errors.js";
import { S3ObjectStore } from "../objects/s3-object-store.js";
import { runBackfill, type BackfillProgress } from "../queue/backfill.js";
import { queueDepth, sendBatch, SqsQueue } from "../queue/sqs-queue.js";
import { BackfillQueries } from "../store/backfill-queries.js";
import { createDb } from "../store/prisma.js";

const USAGE = `usage: npm run backfill -- [--bucket <name>] [--prefix <p/>] [--since <date>] [--start-after <key>]
                         [--rate <objects/s>] [--max-depth <messages>] [--dry-run] [--wait] [--json]
  --bucket       a served bucket (BUCKET or one of EXTRA_BUCKETS); default BUCKET
  --prefix       only keys that start with this
  --since        only objects last modified at or after this date (2025-01-01, or an ISO time)
  --start-after  resume after this key (the summary of an interrupted run prints it)
  --rate         objects sent per second at most (default 50; 0: no limit)
  --max-depth    pause while the queue holds this many messages (default 1000; 0: no bound)
  --dry-run      list and count only; send nothing
  --wait         after sending, wait until every sent object's analysis has ended
  --json         print the summary as one JSON line on stdout
  env: the service's own (AWS_ENDPOINT, AWS_REGION, BUCKET, EXTRA_BUCKETS, QUEUE_NAME, DATABASE_URL …)`;

const Options = z.object({
  bucket: z.string().optional(),
  prefix: z.string().default(""),
  since: z.coerce.date().optional(),
  "start-after": z.string().optional(),
  rate: z.coerce.number().min(0).default(50),
  "max-depth": z.coerce.number().int().min(0).default(1000),
});

const DONE_POLL_MS = 2_000;
/** The configured endpoint, for the error hint (an emulator takes any credentials). */
let endpoint: string | undefined;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bucket: { type: "string" },
      prefix: { type: "string" },
      since: { type: "string" },
      "start-after": { type: "string" },
      rate: { type: "string" },
      "max-depth": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      wait: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`backfill: ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\n${USAGE}\n`);
    return 2;
  }
  const options = parsed.data;
  const config = loadConfig();
  endpoint = config.AWS_ENDPOINT;
  const bucket = options.bucket ?? config.BUCKET;
  if (!servedBuckets(config).includes(bucket)) {
    process.stderr.write(`backfill: the service does not serve the bucket ${bucket} (BUCKET / EXTRA_BUCKETS)\n`);
    return 2;
  }

  const { s3, sqs } = createAwsClients(awsOptions(config));
  const db = createDb({ url: config.DATABASE_URL, poolMax: 2, connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS, statementTimeoutMs: 60_000 });
  const catalog = new BackfillQueries(db);
  const objects = new S3ObjectStore(s3);
  const stop = new AbortController();
  const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  const started = new Date();
  const bar = new cliProgress.SingleBar({
    format: " listed {listed} | enqueued {enqueued} | skipped {skipped} | done {done}{waiting}",
    stream: process.stderr,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 5_000,
    hideCursor: true,
  });
  let done = 0;
  let latest: BackfillProgress | undefined;
  const payload = () => ({
    listed: latest?.listed ?? 0,
    enqueued: latest?.enqueued ?? 0,
    skipped: (latest?.skippedAnalysed ?? 0) + (latest?.skippedOlder ?? 0),
    done,
    waiting: latest?.waitingForDepth === undefined ? "" : ` | waiting: ${latest.waitingForDepth} messages in the queue`,
  });
  bar.start(0, 0, payload());
  const refreshDone = async () => {
    done = await catalog.finishedSince(bucket, options.prefix, started).catch(() => done);
    bar.update(payload());
  };
  const poller = setInterval(() => void refreshDone(), DONE_POLL_MS);
  try {
    const queueUrl = (await SqsQueue.connect(sqs, config.QUEUE_NAME)).url;
    const result = await runBackfill(
      {
        pages: () =>
          objects.listPages(bucket, { prefix: options.prefix, ...(options["start-after"] ? { startAfter: options["start-after"] } : {}) }),
        analysedEtags: (keys) => catalog.analysedEtags(bucket, keys),
        send: (bodies) => sendBatch(sqs, queueUrl, bodies),
        depth: () => queueDepth(sqs, queueUrl),
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      {
        bucket,
        since: options.since,
        dryRun: values["dry-run"],
        ratePerSec: options.rate,
        maxDepth: options["max-depth"],
        signal: stop.signal,
      },
      (progress) => {
        latest = progress;
        bar.update(payload());
      },
    );
    while (values.wait && !values["dry-run"] && !stop.signal.aborted && done < result.enqueued) {
      await new Promise((resolve) => setTimeout(resolve, DONE_POLL_MS));
      await refreshDone();
    }
    await refreshDone();
    bar.stop();
    const seconds = (Date.now() - started.getTime()) / 1000;
    const summary = {
      bucket,
      prefix: options.prefix,
      dryRun: values["dry-run"],
      listed: result.listed,
      enqueued: result.enqueued,
      skippedAnalysed: result.skippedAnalysed,
      skippedOlder: result.skippedOlder,
      done,
      stopped: result.stopped,
      resumeAfter: result.resumeAfter ?? null,
      seconds: Math.round(seconds * 10) / 10,
      listedPerSec: Math.round(result.listed / Math.max(seconds, 0.001)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    const verb = values["dry-run"] ? "would enqueue" : "enqueued";
    process.stderr.write(
      `backfill of ${bucket}/${options.prefix}: listed ${summary.listed}, ${verb} ${summary.enqueued}, skipped ${summary.skippedAnalysed} already analysed` +
        ` and ${summary.skippedOlder} older than --since; ${done} analyses ended since the start; ${summary.seconds} s, peak RSS ${summary.peakRssMiB} MiB\n`,
    );
    if (result.stopped)
      process.stderr.write(`stopped before the end: run again${result.resumeAfter ? ` with --start-after '${result.resumeAfter}'` : ""}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return result.stopped ? 130 : 0;
  } finally {
    clearInterval(poller);
    bar.stop();
    await db.$disconnect();
    s3.destroy();
    sqs.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A queue or storage error wraps the SDK's: describeAwsError adds the fix for missing credentials.
    const cause = err instanceof InspectorError && err.cause !== undefined ? err.cause : err;
    process.stderr.write(`backfill failed: ${err instanceof ConfigError ? err.message : describeAwsError(cause, endpoint)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
