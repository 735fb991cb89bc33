import path from "node:path";
import { spawnServiceProcess } from "../../scripts/lib/stack-utils.js";
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

/**
 * Starts `node --import tsx src/main.ts` with the given environment (on top of a quiet,
 * test-friendly base) and waits until its HTTP server answers. Its JSON log lines are kept
 * in memory and written to test-output/logs/<name>.log.
 */
export async function spawnService(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const logs: LogLine[] = [];
  const { child, baseUrl, exited } = await spawnServiceProcess({
    entry: ["--import", "tsx", "src/main.ts"],
    env: { LOG_LEVEL: "debug", WAIT_TIME_SEC: "1", ...env },
    logFile: path.join(OUTPUT_DIR, "logs", `${name}.log`),
    onStdoutLine: (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line (a stray print): kept in the file only
      }
    },
  });

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
