/**
 * npm run bench:backfill — the backfill command (the built bin, dist/src/cli/backfill.js) over
 * a bucket of BENCH_BACKFILL_OBJECTS (100,000) small objects in a private moto: a dry run
 * (listing and the catalog check), a real run bounded by queue depth while a consumer drains the
 * queue (see consume), then a re-run once every object is in the catalog. Prints objects per
 * second and the command's peak RSS for each, and checks that every object reached the consumer
 * (repeats counted: SQS delivers at least once) and that the re-run sent nothing.
 *   BENCH_BACKFILL_OBJECTS (100000)
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import pg from "pg";
import { parseS3Notification } from "../../src/queue/s3-event.js";
import { localAwsClients } from "../lib/stack-utils.js";
import { benchStackEnv } from "./service-process.js";
import { runAll } from "./util.js";

const run = promisify(execFile);
const count = Number(process.env.BENCH_BACKFILL_OBJECTS ?? 100_000);
const { endpoint, databaseUrl } = benchStackEnv("backfill");
const { s3, sqs } = localAwsClients(endpoint);
const bucket = `bench-backfill-${Date.now()}`;
/** The queue depth the real run keeps to (see consume). */
const MAX_DEPTH = 200;
const keyOf = (i: number) => `catalog/${String(i).padStart(7, "0")}.mp4`;

// 1. The bucket (no notification: these objects predate the service) and the queue.
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
const { QueueUrl: queueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-events` }));
const putStarted = Date.now();
await runAll(
  Array.from({ length: count }, (_, i) => i),
  64,
  async (i) => void (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(i), Body: `obj-${i}` }))),
);
console.log(`created ${count} objects in moto in ${((Date.now() - putStarted) / 1000).toFixed(0)} s`);

interface Summary {
  listed: number;
  enqueued: number;
  skippedAnalysed: number;
  seconds: number;
  peakRssMiB: number;
}

async function backfill(...args: string[]): Promise<Summary> {
  const { stdout } = await run("node", ["dist/src/cli/backfill.js", "--json", ...args], {
    env: { ...process.env, AWS_ENDPOINT: endpoint, BUCKET: bucket, QUEUE_NAME: `${bucket}-events`, DATABASE_URL: databaseUrl },
    maxBuffer: 16 * 1024 ** 2,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as Summary;
}

let deleteFailures = 0;

/**
 * A consumer, as the service is: receives and deletes, counting how often each key arrives.
 * moto's SQS slows down as messages wait in a queue, so the real run is bounded by queue depth
 * (--max-depth) as an operator would run it, and this drains behind it.
 */

function consume(): { seen: Map<string, number>; stop: () => Promise<void> } {
  const seen = new Map<string, number>();
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600 }),
      );
      for (const m of Messages) {
        const parsed = parseS3Notification(JSON.parse(m.Body ?? ""));
        for (const change of parsed.kind === "changes" ? parsed.changes : []) seen.set(change.key, (seen.get(change.key) ?? 0) + 1);
      }
      if (Messages.length > 0) {
        const { Failed = [] } = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        deleteFailures += Failed.length;
      }
    }
  };
  const workers = Promise.all([worker(), worker()]);
  return {
    seen,
    stop: async () => {
      stopped = true;
      await workers;
    },
  };
}

const total = (seen: Map<string, number>) => [...seen.values()].reduce((a, b) => a + b, 0);

// 2. A dry run; a real run while a consumer drains the queue; a re-run once the catalog holds every object.
const dry = await backfill("--dry-run");
const consumer = consume();
const real = await backfill("--rate", "0", "--max-depth", String(MAX_DEPTH));
for (let waited = 0; total(consumer.seen) < real.enqueued && waited < 300; waited += 1) await new Promise((r) => setTimeout(r, 1000));
await consumer.stop();

const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
await pool.query(
  `INSERT INTO video (id, bucket, key, etag, updated_at)
   SELECT gen_random_uuid(), $1, 'catalog/' || lpad(i::text, 7, '0') || '.mp4', md5('obj-' || i), now() FROM generate_series(0, $2 - 1) i`,
  [bucket, count],
);
// The job state machine (a trigger) wants pending → analyzing → done.
await pool.query(`INSERT INTO job (id, video_id, status, updated_at) SELECT gen_random_uuid(), id, 'pending', now() FROM video`);
await pool.query(`UPDATE job SET status = 'analyzing'`);
await pool.query(`UPDATE job SET status = 'done', finished_at = now() - interval '1 day'`);
await pool.end();
const again = await backfill("--rate", "0", "--max-depth", String(MAX_DEPTH));

console.log(`\nbackfill of ${count} objects, moto and PostgreSQL on this machine`);
console.log("| run | listed | enqueued | skipped | seconds | objects/s | peak RSS |");
console.log("|---|---|---|---|---|---|---|");
for (const [name, s] of [
  ["--dry-run", dry],
  [`--rate 0 --max-depth ${MAX_DEPTH}, a consumer draining`, real],
  ["the same, every object already analysed", again],
] as const) {
  console.log(
    `| ${name} | ${s.listed} | ${s.enqueued} | ${s.skippedAnalysed} | ${s.seconds} | ${Math.round(s.listed / s.seconds).toLocaleString("en")} | ${s.peakRssMiB} MiB |`,
  );
}
// SQS delivers at least once (and so does moto, to two receivers at once): a repeat is the
// service's to absorb (its claims acknowledge a version already analysed), so it is reported, not failed.
const twice = [...consumer.seen.values()].filter((n) => n > 1).length;
console.log(
  `the consumer received ${consumer.seen.size} distinct keys, ${twice} of them more than once; ${deleteFailures} deletes refused by moto`,
);
s3.destroy();
sqs.destroy();
if (dry.listed !== count || real.enqueued !== count || consumer.seen.size !== count || again.enqueued !== 0) {
  console.error("MISMATCH: every object must reach the queue, and nothing once all are analysed");
  process.exit(1);
}
