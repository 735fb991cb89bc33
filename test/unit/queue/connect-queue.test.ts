import { getEventListeners } from "node:events";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { connectWithRetry } from "../../../src/queue/connect-queue.js";
import { pause } from "../../../src/domain/pause.js";

/** A logger whose lines are kept, parsed. */
function recordingLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(sink), lines };
}

describe("connectWithRetry", () => {
  it("retries until the queue is there, logging each wait with the backoff's delay", async () => {
    const { log, lines } = recordingLog();
    const waits: number[] = [];
    let attempts = 0;
    const queue = await connectWithRetry(
      async () => {
        attempts += 1;
        if (attempts < 4) throw new Error("AWS.SimpleQueueService.NonExistentQueue");
        return "the queue";
      },
      { queueName: "uploads", signal: new AbortController().signal, log, random: () => 1, wait: async (ms) => void waits.push(ms) },
    );
    expect(queue).toBe("the queue");
    expect(waits).toEqual([1_000, 2_000, 4_000]);
    expect(lines.map((l) => [l.event, l.queue, l.retryInMs])).toEqual([
      ["queue.not_found", "uploads", 1_000],
      ["queue.not_found", "uploads", 2_000],
      ["queue.not_found", "uploads", 4_000],
    ]);
  });

  it("waits at most 30 s between attempts", async () => {
    const waits: number[] = [];
    let attempts = 0;
    await connectWithRetry(
      async () => {
        attempts += 1;
        if (attempts < 9) throw new Error("down");
        return 1;
      },
      {
        queueName: "q",
        signal: new AbortController().signal,
        log: pino({ level: "silent" }),
        random: () => 1,
        wait: async (ms) => void waits.push(ms),
      },
    );
    expect(Math.max(...waits)).toBe(30_000);
  });

  it("gives up at once when stopped during a wait, and returns nothing", async () => {
    const stop = new AbortController();
    const started = performance.now();
    const connecting = connectWithRetry(
      async () => {
        throw new Error("down");
      },
      { queueName: "q", signal: stop.signal, log: pino({ level: "silent" }), random: () => 1 },
    );
    setTimeout(() => stop.abort(), 20);
    await expect(connecting).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(900);
  });

  it("returns nothing when the stop came while connecting", async () => {
    const stop = new AbortController();
    const queue = await connectWithRetry(
      async () => {
        stop.abort();
        return "late";
      },
      { queueName: "q", signal: stop.signal, log: pino({ level: "silent" }) },
    );
    expect(queue).toBeUndefined();
  });
});

describe("pause", () => {
  it("leaves no listener on the signal once it has waited", async () => {
    const stop = new AbortController();
    for (let i = 0; i < 20; i += 1) await pause(1, stop.signal);
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
  });

  it("ends early when aborted, without rejecting", async () => {
    const stop = new AbortController();
    const waiting = pause(60_000, stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
