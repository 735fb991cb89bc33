import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { CircuitBreaker } from "../../../src/queue/breaker.js";
import { QueueConsumer, retryDelaySec, type MessageHandler } from "../../../src/queue/consumer.js";
import type { MessageQueue, QueueMessage } from "../../../src/queue/sqs-queue.js";
import { createMessageHandler, type ObjectChanges } from "../../../src/queue/message-handler.js";
import { InspectorError } from "../../../src/domain/errors.js";

const silent = pino({ level: "silent" });
const HANDLER_OPTIONS = { buckets: new Set(["videos"]), maxRecords: 10 };

/** An in-memory queue: hands out what it holds, records what happened to each message. */
class FakeQueue implements MessageQueue {
  readonly deleted: string[] = [];
  readonly visibility: [string, number][] = [];
  receiveCalls = 0;
  /** Empty polls wait their whole wait time, as SQS's long poll does (otherwise 20 ms). */
  longPoll = false;
  failReceives = 0;
  maxAsked: number[] = [];
  constructor(private readonly queued: QueueMessage[]) {}
  pending(): QueueMessage[] {
    return this.queued;
  }

  async receive(max: number, waitSec: number, signal: AbortSignal): Promise<QueueMessage[]> {
    this.receiveCalls += 1;
    this.maxAsked.push(max);
    if (this.failReceives > 0) {
      this.failReceives -= 1;
      throw new Error("connect ECONNREFUSED");
    }
    if (this.queued.length === 0) {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, this.longPoll ? waitSec * 1000 : 20);
        signal.addEventListener("abort", () => (clearTimeout(t), resolve(undefined)), { once: true });
      });
      return [];
    }
    return this.queued.splice(0, max);
  }
  async delete(m: QueueMessage) {
    this.deleted.push(m.id);
  }
  async setVisibility(m: QueueMessage, sec: number) {
    this.visibility.push([m.id, sec]);
  }
}

const message = (id: string, body = "{}", receiveCount = 1): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body, receiveCount });
const breaker = () => new CircuitBreaker({ failureThreshold: 3, baseOpenMs: 400, maxOpenMs: 2000, now: Date.now, random: () => 0.5 });
const options = { concurrency: 2, waitTimeSec: 0, visibilityTimeoutSec: 30, shutdownGraceMs: 1_000 };

/** Runs fake time on, 5 ms at a time, until `check` holds (at most `maxMs` of fake time). */
async function until(check: () => boolean, maxMs = 3_000) {
  for (let elapsed = 0; !check(); elapsed += 5) {
    if (elapsed > maxMs) throw new Error(`condition not reached within ${maxMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(5);
  }
}

describe("QueueConsumer", () => {
  // The consumer's waits (breaker, polls, grace periods) and the breaker's clock run on fake time.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("deletes handled messages, returns retried ones with backoff, leaves the rest", async () => {
    const queue = new FakeQueue([message("ok"), message("transient", "{}", 3), message("poison")]);
    const decisions: Record<string, "delete" | "retry" | "leave"> = { ok: "delete", transient: "retry", poison: "leave" };
    const handler: MessageHandler = async (m) => decisions[m.id]!;
    const consumer = new QueueConsumer(queue, breaker(), handler, options, silent);
    consumer.start();
    await until(() => queue.deleted.length === 1 && queue.visibility.length === 1 && queue.pending().length === 0);
    await consumer.stop();
    expect(queue.deleted).toEqual(["ok"]);
    expect(queue.visibility).toEqual([["transient", retryDelaySec(3)]]);
  });

  it("never has more messages in flight than its concurrency, and asks only for free slots", async () => {
    const queue = new FakeQueue(Array.from({ length: 7 }, (_, i) => message(`m${i}`)));
    let inFlight = 0;
    let peak = 0;
    const handler: MessageHandler = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight -= 1;
      return "delete";
    };
    const consumer = new QueueConsumer(queue, breaker(), handler, options, silent);
    consumer.start();
    await until(() => queue.deleted.length === 7);
    await consumer.stop();
    expect(peak).toBe(2);
    expect(Math.max(...queue.maxAsked)).toBeLessThanOrEqual(2);
  });

  it("opens the breaker after consecutive receive errors, pauses, probes and recovers on its own", async () => {
    const queue = new FakeQueue([message("after-outage")]);
    queue.failReceives = 5;
    const b = breaker();
    const consumer = new QueueConsumer(queue, b, async () => "delete", options, silent);
    consumer.start();
    await until(() => b.state === "open");
    const callsWhenOpened = queue.receiveCalls;
    expect(callsWhenOpened).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(queue.receiveCalls).toBe(callsWhenOpened); // paused while open (300 ms with this jitter)
    await until(() => queue.deleted.includes("after-outage"));
    expect(b.state).toBe("closed");
    await consumer.stop();
  });

  it("on stop, aborts jobs still running after the grace period and releases their messages at once", async () => {
    const queue = new FakeQueue([message("slow")]);
    const handler: MessageHandler = (_m, signal) =>
      new Promise((resolve) => signal.addEventListener("abort", () => resolve("retry"), { once: true }));
    const consumer = new QueueConsumer(queue, breaker(), handler, { ...options, shutdownGraceMs: 50 }, silent);
    consumer.start();
    await until(() => consumer.inFlightCount === 1);
    await stopOnFakeTime(consumer);
    expect(queue.visibility).toEqual([["slow", 0]]);
    expect(consumer.polling).toBe(false);
  });

  it("on stop, returns after a second grace period even when a job ignores the abort", async () => {
    const queue = new FakeQueue([message("stuck")]);
    const handler: MessageHandler = () => new Promise<never>(() => undefined);
    const consumer = new QueueConsumer(queue, breaker(), handler, { ...options, shutdownGraceMs: 50 }, silent);
    consumer.start();
    await until(() => consumer.inFlightCount === 1);
    const started = Date.now();
    await stopOnFakeTime(consumer);
    expect(Date.now() - started).toBeLessThan(1_000);
    // Never settled, so never deleted: SQS redelivers it after the visibility timeout.
    expect(queue.deleted).toEqual([]);
  });

  it("a retry at a time the handler names (a busy job's lease end) replaces the backoff", async () => {
    const queue = new FakeQueue([message("busy", "{}", 4)]);
    const consumer = new QueueConsumer(queue, breaker(), async () => ({ decision: "retry", afterSec: 7 }), options, silent);
    consumer.start();
    await until(() => queue.visibility.length === 1);
    await consumer.stop();
    expect(queue.visibility).toEqual([["busy", 7]]);
  });

  it("a handler that crashes (a bug) leaves its message for the dead-letter queue and counts it", async () => {
    const queue = new FakeQueue([message("bug")]);
    let internalErrors = 0;
    const events = { receiveFailed: () => {}, messageSettled: () => {}, internalError: () => (internalErrors += 1) };
    const consumer = new QueueConsumer(
      queue,
      breaker(),
      () => Promise.reject(new TypeError("x is undefined")),
      { ...options, events },
      silent,
    );
    consumer.start();
    await until(() => internalErrors === 1);
    await consumer.stop();
    expect(queue.deleted).toEqual([]);
    expect(queue.visibility).toEqual([]);
  });
});

/** Stops the consumer while fake time runs through its grace periods. */
async function stopOnFakeTime(consumer: QueueConsumer): Promise<void> {
  const stopped = consumer.stop();
  await vi.advanceTimersByTimeAsync(500);
  await stopped;
}

describe("QueueConsumer shutdown with a long poll", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps a released message invisible until the aborted long poll has ended on the queue's side, and no longer", async () => {
    const queue = new FakeQueue([message("slow")]);
    queue.longPoll = true;
    const handler: MessageHandler = (_m, signal) =>
      new Promise((resolve) => signal.addEventListener("abort", () => resolve("retry"), { once: true }));
    const consumer = new QueueConsumer(queue, breaker(), handler, { ...options, waitTimeSec: 20, shutdownGraceMs: 50 }, silent);
    consumer.start();
    await until(() => consumer.inFlightCount === 1 && queue.receiveCalls >= 2);
    await vi.advanceTimersByTimeAsync(3_000); // the second poll has been open for 3 s of its 20
    await stopOnFakeTime(consumer);
    const [[id, delaySec]] = queue.visibility as [[string, number]];
    expect(id).toBe("slow");
    expect(delaySec).toBeGreaterThanOrEqual(17);
    expect(delaySec).toBeLessThanOrEqual(18);
  });
});

/** A handler's ports where only creations matter to the test. */
const onCreated = (created: ObjectChanges["created"]): ObjectChanges => ({ created, removed: async () => "nothing-stored" });

describe("message handler", () => {
  const record = (key: string) =>
    JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "videos" }, object: { key } } }] });
  const signal = new AbortController().signal;

  it("acknowledges s3:TestEvent without ingesting", async () => {
    const seen: string[] = [];
    const handle = createMessageHandler(
      onCreated(async (o) => (seen.push(o.key), "done")),
      HANDLER_OPTIONS,
      silent,
    );
    expect(await handle(message("t", JSON.stringify({ Event: "s3:TestEvent", Bucket: "videos" })), signal)).toBe("delete");
    expect(seen).toEqual([]);
  });

  it("hands creations and removals, from S3 notifications and EventBridge alike, to their own port", async () => {
    const seen: string[] = [];
    const handle = createMessageHandler(
      {
        created: async (o) => (seen.push(`created ${o.key}`), "done"),
        removed: async (o) => (seen.push(`removed ${o.key}`), "erased"),
      },
      HANDLER_OPTIONS,
      silent,
    );
    const removal = JSON.stringify({
      Records: [{ eventName: "ObjectRemoved:Delete", s3: { bucket: { name: "videos" }, object: { key: "a.mp4" } } }],
    });
    const bridged = JSON.stringify({
      source: "aws.s3",
      "detail-type": "Object Deleted",
      detail: { bucket: { name: "videos" }, object: { key: "b.mp4" } },
    });
    expect(await handle(message("r1", record("a.mp4")), signal)).toBe("delete");
    expect(await handle(message("r2", removal), signal)).toBe("delete");
    expect(await handle(message("r3", bridged), signal)).toBe("delete");
    expect(seen).toEqual(["created a.mp4", "removed a.mp4", "removed b.mp4"]);
  });

  it("leaves an unparseable message for the dead-letter queue", async () => {
    const handle = createMessageHandler(
      onCreated(async () => "done"),
      HANDLER_OPTIONS,
      silent,
    );
    expect(await handle(message("bad", "{nope"), signal)).toBe("leave");
  });

  it("deletes once every object has a stored outcome, retries on a transient failure", async () => {
    const handle = createMessageHandler(
      onCreated(async (o) => {
        if (o.key === "flaky.mp4") throw new InspectorError("DATABASE_UNAVAILABLE");
        return o.key === "broken.mp4" ? "failed" : "done";
      }),
      HANDLER_OPTIONS,
      silent,
    );
    expect(await handle(message("a", record("good.mp4")), signal)).toBe("delete");
    expect(await handle(message("b", record("broken.mp4")), signal)).toBe("delete");
    expect(await handle(message("c", record("flaky.mp4")), signal)).toBe("retry");
  });

  it("retries a busy job's event when its holder's lease ends, not on the backoff", async () => {
    const handle = createMessageHandler(
      onCreated(async () => {
        throw new InspectorError("JOB_BUSY", undefined, { retryAfterMs: 4_200 });
      }),
      HANDLER_OPTIONS,
      silent,
    );
    expect(await handle(message("d", record("busy.mp4")), signal)).toEqual({ decision: "retry", afterSec: 5 });
  });

  it("a bug before any job holds the event leaves the message for the dead-letter queue, counted", async () => {
    let counted = 0;
    const handle = createMessageHandler(
      onCreated(async () => {
        throw new TypeError("cannot read properties of undefined");
      }),
      HANDLER_OPTIONS,
      silent,
      { internalError: () => (counted += 1) },
    );
    expect(await handle(message("e", record("bug.mp4")), signal)).toBe("leave");
    expect(counted).toBe(1);
  });

  it("never acts on events for buckets it does not serve, nor on a message with more records than S3 sends", async () => {
    const seen: string[] = [];
    const handle = createMessageHandler(
      onCreated(async (o) => (seen.push(o.key), "done")),
      HANDLER_OPTIONS,
      silent,
    );
    const foreign = JSON.stringify({
      Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "payroll" }, object: { key: "salaries.mp4" } } }],
    });
    expect(await handle(message("f", foreign), signal)).toBe("leave");
    const flood = JSON.stringify({
      Records: Array.from({ length: 11 }, (_, i) => (JSON.parse(record(`k${i}.mp4`)) as { Records: unknown[] }).Records[0]),
    });
    expect(await handle(message("g", flood), signal)).toBe("leave");
    expect(seen).toEqual([]);
  });
});
