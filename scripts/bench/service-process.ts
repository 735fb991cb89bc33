/**
 * The built service (dist/src/main.js, as the Docker image runs it) as its own process for
 * the benchmarks that go through S3 and SQS, with its peak resident memory sampled; and the
 * private moto and database that `scripts/bench.sh` starts for them.
 */
import { spawn } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { bootstrap } from "../lib/bootstrap.js";
import { benchDatabaseUrl } from "./util.js";

export interface BenchService {
  readonly baseUrl: string;
  /** The highest resident set size of the Node process so far, in MB (sampled every 100 ms). */
  peakRssMb(): number;
  /** The same, with its child processes (ffprobe, ffmpeg) added in. */
  peakTreeRssMb(): number;
  stop(): Promise<void>;
}

/** The moto endpoint and database URL that `scripts/bench.sh <name>` exports. */
export function benchStackEnv(name: string): { endpoint: string; databaseUrl: string } {
  const endpoint = process.env.BENCH_AWS_ENDPOINT;
  if (!endpoint) throw new Error(`BENCH_AWS_ENDPOINT is not set: run through \`npm run bench:${name}\` (it starts moto)`);
  return { endpoint, databaseUrl: benchDatabaseUrl(name) };
}

/** A fresh bucket with its queue and event notification on the benchmark's moto. */
export async function provisionBucket(endpoint: string, prefix: string): Promise<{ s3: S3Client; sqs: SQSClient; bucket: string; queueName: string }> {
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const s3 = new S3Client({ endpoint, region: "us-east-1", credentials, forcePathStyle: true });
  const sqs = new SQSClient({ endpoint, region: "us-east-1", credentials });
  const bucket = `${prefix}-${Date.now()}`;
  const queueName = `${bucket}-events`;
  await bootstrap(s3, sqs, { region: "us-east-1", bucket, queueName, visibilityTimeoutSec: 120, maxReceiveCount: 5, corsOrigins: [] });
  return { s3, sqs, bucket, queueName };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0; // the process is gone
  }
}

/** Direct children of `pid` (the service's ffmpeg/ffprobe run in their own process groups, not as grandchildren). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startBenchService(options: { endpoint: string; databaseUrl: string; bucket: string; queueName: string; logName: string }): Promise<BenchService> {
  const port = await freePort();
  const logFile = path.resolve(".run", `${options.logName}.log`);
  const service = spawn(process.execPath, ["dist/src/main.js"], {
    env: { ...process.env, AWS_ENDPOINT: options.endpoint, DATABASE_URL: options.databaseUrl, BUCKET: options.bucket, QUEUE_NAME: options.queueName, PORT: String(port), HOST: "127.0.0.1", VISIBILITY_TIMEOUT_SEC: "120", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  service.stdout.pipe(log);
  service.stderr.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 200) throw new Error(`the service did not become ready; see ${logFile}`);
    await sleep(150);
  }
  let peakRssKb = 0;
  let peakTreeRssKb = 0;
  const pid = service.pid ?? -1;
  const sampler = setInterval(() => {
    const own = rssKb(pid);
    peakRssKb = Math.max(peakRssKb, own);
    peakTreeRssKb = Math.max(peakTreeRssKb, own + childPids(pid).reduce((sum, child) => sum + rssKb(child), 0));
  }, 100);
  return {
    baseUrl,
    peakRssMb: () => peakRssKb / 1024,
    peakTreeRssMb: () => peakTreeRssKb / 1024,
    stop: async () => {
      clearInterval(sampler);
      service.kill("SIGTERM");
      await new Promise((resolve) => service.once("exit", resolve));
    },
  };
}
