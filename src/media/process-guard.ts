import os from "node:os";
import { spawn } from "node:child_process";
import readline from "node:readline";
import type { Readable } from "node:stream";
import { InspectorError } from "../domain/errors.js";
import { AutogroupNiceness } from "./autogroup-niceness.js";

export interface GuardedRunOptions {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The run's time limit, counted from the start. A promise: the limit is known only later
   * (the decode starts before the probe has said how long the video is).
   */
  readonly timeoutMs: number | Promise<number>;
  /** Called for each stderr line as it arrives (ffmpeg writes its reports there). */
  readonly onStderrLine?: (line: string) => void;
  /** Cap on the stdout kept in memory; the rest is drained and dropped. */
  readonly maxStdoutBytes?: number;
  /** Streams stdout here instead of keeping it (for raw frames). */
  readonly onStdoutChunk?: (chunk: Buffer) => void;
  readonly signal?: AbortSignal;
  /**
   * Aborted when the caller has all the output it needs: the process is stopped and the run
   * ends as `enough`, a success (not counted as a kill).
   */
  readonly enough?: AbortSignal;
  /**
   * Work nothing waits for (the soundtrack's print): run at the lowest priority, so that it
   * takes only what the decode and the service leave of the CPU.
   */
  readonly background?: boolean;
}

/** The niceness of background runs: the lowest priority there is. */
export const BACKGROUND_NICENESS = 19;

export type GuardedRunResult =
  | {
      readonly outcome: "exited";
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly stdout: string;
      readonly stderrTail: string;
    }
  | { readonly outcome: "enough"; readonly stdout: string; readonly stderrTail: string }
  | { readonly outcome: "timed-out"; readonly timeoutMs: number; readonly stdout: string; readonly stderrTail: string }
  | { readonly outcome: "aborted"; readonly stdout: string; readonly stderrTail: string };

const STDERR_TAIL_LINES = 20;

/**
 * Runs child processes so that they can always be stopped: each child leads its own process
 * group (detached), a timeout or abort signals the whole group with SIGTERM and escalates to
 * SIGKILL after a grace period, pipes are always drained, and every live group is tracked so
 * that shutdown can kill what is left.
 */
export class ProcessGuard {
  private readonly live = new Set<number>();
  private readonly autogroups: AutogroupNiceness;

  constructor(
    private readonly killGraceMs: number,
    /** Told whenever a run is stopped by its timeout or its abort signal (for metrics). */
    private readonly onKill: (command: string, reason: "timed-out" | "aborted") => void = () => {},
    /**
     * Scheduling niceness of the children (0–19). Analysis is batch work: when the CPU is
     * short, the service's own event loop (status requests, heartbeats) should win.
     */
    private readonly niceness = 0,
    /**
     * Address-space ceiling of each child in bytes (0: none), set with util-linux's `prlimit
     * --as`, which works unprivileged and in containers (a cgroup's memory.max needs one
     * delegated). prlimit sets the limit and execs the tool: same pid, same process group.
     */
    private readonly memoryLimitBytes = 0,
  ) {
    this.autogroups = new AutogroupNiceness((pid) => this.live.has(pid));
  }

  get liveCount(): number {
    return this.live.size;
  }

  run(options: GuardedRunOptions): Promise<GuardedRunResult> {
    const { command, args, timeoutMs, onStderrLine, onStdoutChunk, maxStdoutBytes = 4 * 1024 * 1024, signal, enough } = options;
    const niceness = options.background ? BACKGROUND_NICENESS : this.niceness;
    return new Promise((resolve, reject) => {
      const [file, argv] =
        this.memoryLimitBytes > 0 ? ["prlimit", [`--as=${this.memoryLimitBytes}`, "--", command, ...args]] : [command, [...args]];
      const child = spawn(file, argv, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
      const pid = child.pid;
      if (pid !== undefined) {
        this.live.add(pid);
        if (niceness > 0) this.lowerPriority(pid, niceness);
      }

      const stdoutChunks: Buffer[] = [];
      let stdoutBytes = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        if (onStdoutChunk) return onStdoutChunk(chunk);
        if (stdoutBytes < maxStdoutBytes) stdoutChunks.push(chunk);
        stdoutBytes += chunk.length;
      });
      const stderrTail: string[] = [];
      forEachLine(child.stderr, (line) => {
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        onStderrLine?.(line);
      });

      let stoppedBy: "enough" | "timed-out" | "aborted" | undefined;
      let limitMs = 0;
      const stop = (reason: "enough" | "timed-out" | "aborted") => {
        if (stoppedBy || pid === undefined) return;
        stoppedBy = reason;
        if (reason !== "enough") this.onKill(command, reason);
        void this.killGroup(pid);
      };
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const armTimer = (ms: number) => {
        if (closed) return;
        limitMs = ms;
        timer = setTimeout(() => stop("timed-out"), Math.max(0, ms - (Date.now() - started)));
      };
      // A limit that never comes (the probe failed) leaves the run to its signals.
      if (typeof timeoutMs === "number") armTimer(timeoutMs);
      else timeoutMs.then(armTimer, () => {});
      const onAbort = () => stop("aborted");
      const onEnough = () => stop("enough");
      signal?.addEventListener("abort", onAbort, { once: true });
      enough?.addEventListener("abort", onEnough, { once: true });
      if (signal?.aborted) onAbort();
      if (enough?.aborted) onEnough();
      const settle = () => {
        closed = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        enough?.removeEventListener("abort", onEnough);
        if (pid !== undefined) this.live.delete(pid);
      };

      child.once("error", (err) => {
        settle();
        // The binary is missing or not executable: the deployment's fault, not the upload's.
        reject(new InspectorError("MEDIA_TOOL_UNAVAILABLE", `${command} could not be started: ${err.message}`, { cause: err }));
      });
      // "close" fires after the pipes end, so every stderr line has been delivered.
      child.once("close", (exitCode, exitSignal) => {
        settle();
        const stdout = Buffer.concat(stdoutChunks).toString("utf8");
        const tail = stderrTail.join("\n");
        if (stoppedBy === "timed-out") resolve({ outcome: "timed-out", timeoutMs: limitMs, stdout, stderrTail: tail });
        else if (stoppedBy) resolve({ outcome: stoppedBy, stdout, stderrTail: tail });
        else resolve({ outcome: "exited", exitCode, signal: exitSignal, stdout, stderrTail: tail });
      });
    });
  }

  private lowerPriority(pid: number, niceness: number): void {
    try {
      os.setPriority(pid, niceness);
    } catch {
      // the process already ended, or the platform refuses: it runs at normal priority
    }
    this.autogroups.apply(pid, niceness);
  }

  /** Kills every live process group (used at shutdown). */
  async killAll(): Promise<void> {
    await Promise.all([...this.live].map((pid) => this.killGroup(pid)));
  }

  private async killGroup(pid: number): Promise<void> {
    signalGroup(pid, "SIGTERM");
    const deadline = Date.now() + this.killGraceMs;
    while (Date.now() < deadline) {
      if (!groupAlive(pid)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    signalGroup(pid, "SIGKILL");
  }
}

function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps a run's outcome to the media error codes: a timeout is ANALYSIS_TIMEOUT, an abort is
 * a shutdown (transient), a non-zero exit means ffmpeg could not read the media. Returns
 * stdout of a clean run (or of one stopped because the caller had enough).
 */
export function requireCleanExit(result: GuardedRunResult, context: { what: string }): string {
  switch (result.outcome) {
    case "enough":
      return result.stdout;
    case "timed-out":
      throw new InspectorError("ANALYSIS_TIMEOUT", `${context.what} did not finish within ${Math.round(result.timeoutMs / 1000)} s.`);
    case "aborted":
      throw new InspectorError("SHUTTING_DOWN");
    case "exited": {
      if (result.exitCode === 0) return result.stdout;
      // prlimit could not start the tool (FFMPEG_PATH wrong): the deployment's fault, retried.
      if (/prlimit: failed to execute/.test(result.stderrTail)) {
        throw new InspectorError(
          "MEDIA_TOOL_UNAVAILABLE",
          `${context.what} could not be started: ${lastMeaningfulLine(result.stderrTail) ?? "not found"}`,
        );
      }
      // Killed from outside (the OOM killer, a crash): the process failed, not the file.
      if (result.signal !== null) throw new InspectorError("ANALYSIS_FAILED", `${context.what} was ended by ${result.signal}.`);
      // The address-space ceiling (prlimit --as) was reached: the file needs more than allowed.
      if (/Cannot allocate memory/.test(result.stderrTail)) {
        throw new InspectorError("MEDIA_LIMIT_EXCEEDED", `${context.what} needed more memory than its limit (MEDIA_MEMORY_LIMIT_MB).`);
      }
      const reason = lastMeaningfulLine(result.stderrTail);
      throw new InspectorError("CORRUPT_MEDIA", `${context.what} could not read the file${reason ? `: ${reason}` : "."}`);
    }
  }
}

/** The last stderr line with text, without the "[demuxer @ 0x…] path:" prefix ffmpeg adds. */
export function lastMeaningfulLine(stderr: string): string | undefined {
  const line = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  return line
    ?.replace(/^\[[^\]]*\]\s*/, "")
    .replace(/^.*?:\s(?=[A-Z])/, "")
    .slice(0, 200);
}
