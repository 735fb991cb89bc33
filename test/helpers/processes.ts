import { readFileSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Running or sleeping; a zombie waiting for a non-reaping PID 1 counts as dead. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** Live processes whose command line contains `marker`. */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker) && alive(Number(entry))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * Stand-ins for ffmpeg/ffprobe, as executable scripts in a fresh directory whose name is
 * the marker (so `processesMatching(marker)` finds every process they start).
 * - `hung`: ignores SIGTERM, and so does the grandchild it starts; only SIGKILL ends them.
 * - `slow`: waits `delaySec`, then runs the real tool.
 */
export async function fakeTool(kind: "hung" | "slow", realTool: string, delaySec = 0): Promise<{ path: string; marker: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fake-tool-"));
  const marker = path.basename(dir);
  const script =
    kind === "hung"
      ? `#!/bin/sh\ntrap '' TERM\nsh -c 'trap "" TERM; while :; do sleep 1; done' ${marker} &\nwait\n`
      : `#!/bin/sh\nsleep ${delaySec}\nexec ${realTool} "$@"\n`;
  const file = path.join(dir, path.basename(realTool));
  await writeFile(file, script);
  await chmod(file, 0o755);
  return { path: file, marker };
}
