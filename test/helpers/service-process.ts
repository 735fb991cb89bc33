import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { OUTPUT_DIR, type LogLine } from "./stack.js";
import { waitFor } from "./env.js";

/** The real service as its own OS process (`src/main.ts`), for kill, signal and replica tests. */
export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly baseUrl: string;
  readonly logs: readonly LogLine[];
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `node --import tsx src/main.ts` with the given environment (on top of a quiet,
 * test-friendly base) and waits until its HTTP server answers. Its JSON log lines are kept
 * in memory and written to test-output/logs/<name>.log.
 */
export async function spawnService(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  mkdirSync(path.join(OUTPUT_DIR, "logs"), { recursive: true });
  const file = createWriteStream(path.join(OUTPUT_DIR, "logs", `${name}.log`));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, LOG_LEVEL: "debug", WAIT_TIME_SEC: "1", ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    file.write(chunk);
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line (a stray print): kept in the file only
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => file.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => {
    file.end();
    resolve(code);
  }));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false)) || undefined, 30_000, `${name} to listen`);

  return {
    name,
    pid: child.pid!,
    baseUrl,
    logs,
    exited,
    waitForLog: (predicate, timeoutMs, what) => waitFor(async () => logs.find(predicate), timeoutMs, `${name}: ${what}`),
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
