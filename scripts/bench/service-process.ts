/**
 * The built service (dist/src/main.js, as the Docker image runs it) as its own process for
 * the benchmarks that go through S3 and SQS, with its peak resident memory sampled; and the
 * private moto and database that `scripts/bench.sh` starts for them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { localAwsClients, provisionBucket, spawnServiceProcess } from "../lib/stack-utils.js";
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
export async function provisionBenchBucket(
  endpoint: string,
  prefix: string,
): Promise<{ s3: S3Client; sqs: SQSClient; bucket: string; queueName: string }> {
  const { s3, sqs } = localAwsClients(endpoint);
  const bucket = `${prefix}-${Date.now()}`;
  const queueName = `${bucket}-events`;
  await provisionBucket(s3, sqs, { bucket, queueName, visibilityTimeoutSec: 120, maxReceiveCount: 5, corsOrigins: [] });
  return { s3, sqs, bucket, queueName };
}

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

export async function startBenchService(options: {
  endpoint: string;
  databaseUrl: string;
  bucket: string;
  queueName: string;
  logName: string;
}): Promise<BenchService> {
  const {
    child: service,
    baseUrl,
    exited,
  } = await spawnServiceProcess({
    entry: ["dist/src/main.js"],
    env: {
      AWS_ENDPOINT: options.endpoint,
      DATABASE_URL: options.databaseUrl,
      BUCKET: options.bucket,
      QUEUE_NAME: options.queueName,
      VISIBILITY_TIMEOUT_SEC: "120",
      LOG_LEVEL: "info",
      AUTH_MODE: "none",
    },
    logFile: path.resolve(".run", `${options.logName}.log`),
    readyPath: "/readyz",
  });
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
      await exited;
    },
  };
}
