import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOGROUP_RETRY_MS, AutogroupNiceness } from "../../../src/media/autogroup-niceness.js";
import { BACKGROUND_NICENESS, ProcessGuard, requireCleanExit } from "../../../src/media/process-guard.js";
import { type InspectorError } from "../../../src/domain/errors.js";
import { alive } from "../../helpers/processes.js";

describe("ProcessGuard (real processes)", () => {
  it("returns exit code, stdout and stderr lines", async () => {
    const guard = new ProcessGuard(500);
    const lines: string[] = [];
    const result = await guard.run({
      command: "sh",
      args: ["-c", "echo out; echo err1 >&2; echo err2 >&2; exit 3"],
      timeoutMs: 5_000,
      onStderrLine: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ outcome: "exited", exitCode: 3, stdout: "out\n" });
    expect(lines).toEqual(["err1", "err2"]);
    expect(guard.liveCount).toBe(0);
  });

  it("kills the whole process tree on timeout, escalating to SIGKILL when SIGTERM is ignored", async () => {
    const guard = new ProcessGuard(300);
    // The shell ignores SIGTERM and starts a grandchild that ignores it too.
    const script = `trap '' TERM; sh -c "trap '' TERM; echo \\$\\$ >&2; sleep 60" & wait`;
    let grandchild = 0;
    const started = Date.now();
    const result = await guard.run({ command: "sh", args: ["-c", script], timeoutMs: 300, onStderrLine: (l) => (grandchild = Number(l)) });
    expect(result.outcome).toBe("timed-out");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
    expect(guard.liveCount).toBe(0);
  });

  it("stops a run when its signal aborts, and killAll ends what is left", async () => {
    const guard = new ProcessGuard(300);
    const controller = new AbortController();
    const running = guard.run({ command: "sleep", args: ["60"], timeoutMs: 60_000, signal: controller.signal });
    const other = guard.run({ command: "sleep", args: ["60"], timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(guard.liveCount).toBe(2);
    controller.abort();
    expect((await running).outcome).toBe("aborted");
    await guard.killAll();
    expect((await other).outcome).toBe("exited");
    expect(guard.liveCount).toBe(0);
  });

  it("caps each child's address space (prlimit --as), same pid and process group, and says when a file needs more", async () => {
    const guard = new ProcessGuard(300, () => {}, 0, 256 * 1024 ** 2);
    const result = await guard.run({
      command: "sh",
      args: ["-c", "ulimit -v; [ $$ -eq $(ps -o pgid= $$) ] && echo leader"],
      timeoutMs: 5_000,
    });
    expect(requireCleanExit(result, { what: "sh" }).split("\n").slice(0, 2)).toEqual([String(256 * 1024), "leader"]);
    const starved = await guard.run({ command: "sh", args: ["-c", "echo 'Cannot allocate memory' >&2; exit 1"], timeoutMs: 5_000 });
    expect(() => requireCleanExit(starved, { what: "ffmpeg" })).toThrow(expect.objectContaining({ code: "MEDIA_LIMIT_EXCEEDED" }) as Error);
    const missing = await guard.run({ command: "/nonexistent/ffmpeg", args: [], timeoutMs: 5_000 });
    expect(() => requireCleanExit(missing, { what: "ffmpeg" })).toThrow(
      expect.objectContaining({ code: "MEDIA_TOOL_UNAVAILABLE" }) as Error,
    );
  });

  it("runs children at the configured niceness, so analysis yields the CPU to the service, and background runs at the lowest", async () => {
    const guard = new ProcessGuard(300, () => {}, 7);
    const niceOf = async (background?: boolean) => {
      let pid = 0;
      const run = guard.run({
        command: "sh",
        args: ["-c", "echo $$ >&2; sleep 0.3"],
        timeoutMs: 5_000,
        background,
        onStderrLine: (l) => (pid = Number(l)),
      });
      await new Promise((r) => setTimeout(r, 100));
      const niceness = os.getPriority(pid);
      // With autogroup scheduling (Linux), the child's session competes as a group: its niceness must be the group's too.
      const group = existsSync("/proc/self/autogroup")
        ? /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"))?.[1]
        : String(niceness);
      await run;
      expect(Number(group)).toBe(niceness);
      return niceness;
    };
    expect(await niceOf()).toBe(7);
    expect(await niceOf(true)).toBe(BACKGROUND_NICENESS);
  });

  it("maps outcomes to coded errors", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
        return undefined;
      } catch (err) {
        return (err as InspectorError).code;
      }
    };
    const ctx = { what: "ffprobe" };
    expect(code(() => requireCleanExit({ outcome: "timed-out", timeoutMs: 1000, stdout: "", stderrTail: "" }, ctx))).toBe(
      "ANALYSIS_TIMEOUT",
    );
    expect(code(() => requireCleanExit({ outcome: "aborted", stdout: "", stderrTail: "" }, ctx))).toBe("SHUTTING_DOWN");
    expect(
      code(() => requireCleanExit({ outcome: "exited", exitCode: 1, signal: null, stdout: "", stderrTail: "x: Invalid data found" }, ctx)),
    ).toBe("CORRUPT_MEDIA");
    expect(requireCleanExit({ outcome: "exited", exitCode: 0, signal: null, stdout: "{}", stderrTail: "" }, ctx)).toBe("{}");
    expect(requireCleanExit({ outcome: "enough", stdout: "{}", stderrTail: "" }, ctx)).toBe("{}");
  });

  it("stops a run whose caller has enough output; that is a success, not a kill", async () => {
    const kills: string[] = [];
    const guard = new ProcessGuard(300, (command, reason) => kills.push(`${command} ${reason}`));
    const enough = new AbortController();
    const lines: string[] = [];
    const result = await guard.run({
      command: "sh",
      args: ["-c", "i=0; while true; do echo $i >&2; i=$((i+1)); sleep 0.01; done"],
      timeoutMs: 10_000,
      enough: enough.signal,
      onStderrLine: (line) => {
        lines.push(line);
        if (line === "3") enough.abort();
      },
    });
    expect(result.outcome).toBe("enough");
    expect(lines.slice(0, 4)).toEqual(["0", "1", "2", "3"]);
    expect(kills).toEqual([]);
    expect(guard.liveCount).toBe(0);
  });

  it("takes a time limit known only later, counted from the start", async () => {
    const guard = new ProcessGuard(300);
    const started = Date.now();
    let setLimit: (ms: number) => void = () => {};
    const running = guard.run({ command: "sleep", args: ["60"], timeoutMs: new Promise<number>((resolve) => (setLimit = resolve)) });
    await new Promise((r) => setTimeout(r, 400));
    setLimit(300); // already over: it stops at once
    const result = await running;
    expect(result).toMatchObject({ outcome: "timed-out", timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("leaves a run whose time limit never comes to its signal", async () => {
    const guard = new ProcessGuard(300);
    const controller = new AbortController();
    const running = guard.run({
      command: "sleep",
      args: ["60"],
      timeoutMs: Promise.reject(new Error("no duration")),
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(guard.liveCount).toBe(1);
    controller.abort();
    expect((await running).outcome).toBe("aborted");
  });
});

describe("AutogroupNiceness", () => {
  /** The kernel's rule for a caller without CAP_SYS_ADMIN: one autogroup change per 100 ms, system-wide. */
  function unprivilegedKernel() {
    const set = new Map<number, { niceness: number; at: number }>();
    let last = -Infinity;
    const write = (pid: number, niceness: number) => {
      const now = Date.now();
      if (now - last < 100) throw Object.assign(new Error("EAGAIN"), { code: "EAGAIN" });
      last = now;
      set.set(pid, { niceness, at: now });
    };
    return { set, write };
  }

  afterEach(() => vi.useRealTimers());

  it("gives children spawned together their niceness one after another, in spawn order, when the kernel allows one change per 100 ms", () => {
    vi.useFakeTimers({ now: 0 });
    const kernel = unprivilegedKernel();
    const ended = new Set<number>();
    const autogroups = new AutogroupNiceness((pid) => !ended.has(pid), kernel.write);
    autogroups.apply(101, 10);
    autogroups.apply(102, 10);
    autogroups.apply(103, 10);
    autogroups.apply(104, 19);
    ended.add(103); // ended before its turn: skipped, its pid may belong to someone else by now
    expect([...kernel.set.keys()]).toEqual([101]);
    vi.advanceTimersByTime(AUTOGROUP_RETRY_MS);
    expect([...kernel.set.keys()]).toEqual([101, 102]);
    vi.advanceTimersByTime(AUTOGROUP_RETRY_MS);
    expect([...kernel.set.entries()]).toEqual([
      [101, { niceness: 10, at: 0 }],
      [102, { niceness: 10, at: AUTOGROUP_RETRY_MS }],
      [104, { niceness: 19, at: 2 * AUTOGROUP_RETRY_MS }],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not retry where there are no autogroups or the process is gone", () => {
    vi.useFakeTimers({ now: 0 });
    const write = vi.fn(() => {
      throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    });
    const autogroups = new AutogroupNiceness(() => true, write);
    autogroups.apply(101, 10);
    autogroups.apply(102, 10);
    expect(write).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
