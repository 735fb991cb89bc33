/**
 * The stack utilities tests and benchmarks share: free ports, clients and a bootstrapped
 * bucket + queue on the local emulator, and the service as its own OS process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { bootstrap, queueDepth, type BootstrapOptions } from "./bootstrap.js";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** S3 and SQS clients for a local emulator (any credentials, path-style S3). */
export function localAwsClients(endpoint: string): { s3: S3Client; sqs: SQSClient } {
  const common = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), sqs: new SQSClient(common) };
}

/** A bucket, its queue and dead-letter queue and the notification between them, as production sets them up. */
export async function provisionBucket(
  s3: S3Client,
  sqs: SQSClient,
  options: Omit<BootstrapOptions, "region">,
): Promise<{ queueDepth: () => Promise<{ queue: number; deadLetter: number }> }> {
  await bootstrap(s3, sqs, { region: "us-east-1", ...options });
  return {
    queueDepth: async () => ({
      queue: await queueDepth(sqs, options.queueName),
      deadLetter: await queueDepth(sqs, `${options.queueName}-dlq`),
    }),
  };
}

export interface ServiceProcessOptions {
  /** Arguments to node: the source (`--import tsx src/main.ts`) or the build (`dist/src/main.js`). */
  readonly entry: readonly string[];
  readonly env: Record<string, string>;
  readonly logFile: string;
  /** Each stdout line as it arrives (the service logs JSON there). */
  readonly onStdoutLine?: (line: string) => void;
  /** The path that must answer 200 before the service counts as started. */
  readonly readyPath?: "/healthz" | "/readyz";
  readonly timeoutMs?: number;
}

export interface SpawnedService {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Starts the service as its own process on a free port of 127.0.0.1 and waits until it answers. */
export async function spawnServiceProcess(options: ServiceProcessOptions): Promise<SpawnedService> {
  const port = await freePort();
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const file = createWriteStream(options.logFile);
  const child = spawn(process.execPath, [...options.entry], {
    env: { ...process.env, ...options.env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    file.write(chunk);
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) options.onStdoutLine?.(line);
  });
  child.stderr.on("data", (chunk: Buffer) => file.write(chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      file.end();
      resolve(code);
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (
    !(await fetch(`${baseUrl}${options.readyPath ?? "/healthz"}`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`the service did not start; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { child, baseUrl, exited };
}
