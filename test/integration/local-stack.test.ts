import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/stack-utils.js";
import { waitFor } from "../helpers/env.js";
import { alive } from "../helpers/processes.js";

const run = promisify(execFile);
const RUN_DIR = path.resolve(".run");

/**
 * The README's first command, `npm run start:local`, as a user runs it: with DATABASE_URL at a
 * local port where nothing answers (so it starts the project-local PostgreSQL), then stopped
 * by real signals. Ctrl-C in a terminal is SIGINT to the whole foreground process group; a
 * supervisor's stop is SIGTERM to the npm process alone. Either way the service shuts down
 * cleanly (exit 0) and moto and PostgreSQL keep running for the next start.
 */
describe("npm run start:local", () => {
  let motoPort = 0;
  let pgPort = 0;

  afterAll(async () => {
    const motoPid = path.join(RUN_DIR, `moto-${motoPort}.pid`);
    if (existsSync(motoPid)) process.kill(Number(readFileSync(motoPid, "utf8")), "SIGTERM");
    await rm(motoPid, { force: true });
    await run("bash", ["-c", `source scripts/lib/stack.sh && stop_postgres ${pgPort}`]);
    await rm(path.join(RUN_DIR, "postgres", `cluster-${pgPort}`), { recursive: true, force: true });
  });

  async function start(): Promise<{ child: ChildProcess; output: () => string; httpPort: number }> {
    const httpPort = await freePort();
    const env = {
      ...process.env,
      PORT: String(httpPort),
      AWS_ENDPOINT: `http://127.0.0.1:${motoPort}`,
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/tvidz`,
      LOG_LEVEL: "info",
    };
    // Its own process group, as a terminal gives the command it runs in the foreground.
    const child = spawn("npm", ["run", "start:local"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`start:local exited ${child.exitCode}:\n${text}`);
        const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        return ready ? true : undefined;
      },
      240_000,
      "the service started by start:local to be ready",
    );
    return { child, output: () => text, httpPort };
  }

  function exitOf(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  it("starts a project-local PostgreSQL when nothing answers at DATABASE_URL; Ctrl-C stops only the service", async () => {
    motoPort = await freePort();
    pgPort = await freePort();
    const { child, output, httpPort } = await start();
    expect(output()).toContain(`nothing answers at 127.0.0.1:${pgPort}`);
    expect(existsSync(path.join(RUN_DIR, "postgres", `cluster-${pgPort}`, "data", "postmaster.pid"))).toBe(true);

    process.kill(-child.pid!, "SIGINT");
    expect(await exitOf(child)).toBe(0);
    expect(output()).toContain('"event":"service.stopped"');
    expect(await listening(httpPort)).toBe(false);
    expect(await listening(motoPort)).toBe(true);
    expect(await listening(pgPort)).toBe(true);
    expect(alive(Number(readFileSync(path.join(RUN_DIR, `moto-${motoPort}.pid`), "utf8")))).toBe(true);
  }, 300_000);

  it("SIGTERM to the npm process stops the service cleanly and leaves nothing of it behind", async () => {
    const { child, output, httpPort } = await start();
    expect(output()).toContain(`S3/SQS endpoint already up on port ${motoPort}`);
    expect(output()).not.toContain("nothing answers");

    process.kill(child.pid!, "SIGTERM");
    expect(await exitOf(child)).toBe(0);
    expect(output()).toContain('"event":"service.stopped"');
    expect(await listening(httpPort)).toBe(false);
    expect(processGroup(child.pid!)).toEqual([]);
    expect(await listening(motoPort)).toBe(true);
  }, 300_000);
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Live processes in process group `pgid` (field 5 of /proc/PID/stat). */
function processGroup(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const fields = readFileSync(`/proc/${entry}/stat`, "utf8")
          .replace(/^.*\) /, "")
          .split(" ");
        return Number(fields[2]) === pgid && fields[0] !== "Z";
      } catch {
        return false;
      }
    })
    .map(Number);
}
