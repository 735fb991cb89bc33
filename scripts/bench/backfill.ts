/**
 * npm run bench:backfill — the backfill command (the built bin, dist/src/cli/backfill.js) over
 * a bucket of BENCH_BACKFILL_OBJECTS (100,000) small objects in a private moto, half of them
 * already in the catalog at their ETag: a dry run (listing and the catalog check only), then a
 * real run with no rate limit and no depth bound (listing, checking and enqueuing). Prints
 * objects per second and the command's peak RSS for each, and checks that exactly the
 * objects not yet analysed reached the queue.
 *   BENCH_BACKFILL_OBJECTS (100000)
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import pg from "pg";
import { queueDepth } from "../../src/queue/sqs-queue.js";
import { localAwsClients } from "../lib/stack-utils.js";
import { benchStackEnv } from "./service-process.js";
import { runAll } from "./util.js";

const run = promisify(execFile);
const count = Number(process.env.BENCH_BACKFILL_OBJECTS ?? 100_000);
const analysed = Math.floor(count / 2);
const { endpoint, databaseUrl } = benchStackEnv("backfill");
const { s3, sqs } = localAwsClients(endpoint);
const bucket = `bench-backfill-${Date.now()}`;
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

// 2. Half of them analysed already, at the ETag S3 gives them (the MD5 of the bytes).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
await pool.query(
  `INSERT INTO video (id, bucket, key, etag, updated_at)
   SELECT gen_random_uuid(), $1, 'catalog/' || lpad(i::text, 7, '0') || '.mp4', md5('obj-' || i), now() FROM generate_series(0, $2 - 1) i`,
  [bucket, analysed],
);
// The job state machine (a trigger) wants pending → analyzing → done.
await pool.query(`INSERT INTO job (id, video_id, status, updated_at) SELECT gen_random_uuid(), id, 'pending', now() FROM video`);
await pool.query(`UPDATE job SET status = 'analyzing'`);
await pool.query(`UPDATE job SET status = 'done', finished_at = now() - interval '1 day'`);
await pool.end();

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

// 3. The two runs.
const dry = await backfill("--dry-run");
const real = await backfill("--rate", "0", "--max-depth", "0");
const depth = await queueDepth(sqs, queueUrl);

console.log(`\nbackfill of ${count} objects (${analysed} already analysed), moto + PostgreSQL on this machine`);
console.log("| run | listed | enqueued | skipped | seconds | objects/s listed | messages/s enqueued | peak RSS |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [name, s] of [
  ["--dry-run", dry],
  ["--rate 0 --max-depth 0", real],
] as const) {
  const perSec = (n: number) => Math.round(n / s.seconds).toLocaleString("en");
  console.log(
    `| ${name} | ${s.listed} | ${s.enqueued} | ${s.skippedAnalysed} | ${s.seconds} | ${perSec(s.listed)} | ${name === "--dry-run" ? "–" : perSec(s.enqueued)} | ${s.peakRssMiB} MiB |`,
  );
}
console.log(`queue depth after the real run: ${depth} (expected ${count - analysed})`);
s3.destroy();
sqs.destroy();
if (dry.listed !== count || real.enqueued !== count - analysed || depth !== count - analysed) {
  console.error("MISMATCH: the backfill did not enqueue exactly the objects not yet analysed");
  process.exit(1);
}
