import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ResultDestination } from "../../../src/domain/result-event.js";
import { ResultDispatcher, type DeliveryOutcome } from "../../../src/results/dispatcher.js";
import { ResultEventSchema } from "../../../src/results/result-event.js";
import type { SendEvent } from "../../../src/results/senders.js";
import type { ClaimedDelivery, OutboxEvent } from "../../../src/store/result-outbox.js";

const EVENT: OutboxEvent = {
  id: "5b0e0f3e-8a4f-4a36-9d0c-8d2a3c0f1b11",
  type: "analysis.done",
  occurredAt: new Date("2026-11-29T12:00:00Z"),
  version: { etag: "abc", order: "t:2026-11-29T11:59:58.000Z" },
  record: {
    bucket: "videos",
    key: "a.mp4",
    status: "done",
    progress: 1,
    attempts: 1,
    takeovers: 0,
    durationSec: 12,
    sceneCuts: [4],
    duplicates: [],
    duplicateCount: 0,
    moreDuplicates: null,
    group: null,
    errorCode: null,
    errorMessage: null,
    updatedAt: new Date("2026-11-29T12:00:00Z"),
  },
};

/** An outbox holding given deliveries, recording how each was settled. */
function fakeOutbox(deliveries: ClaimedDelivery[]) {
  const settled: string[] = [];
  return {
    settled,
    claimDue: async () => deliveries.splice(0),
    delivered: async (d: ClaimedDelivery) => void settled.push(`delivered ${d.destination}`),
    retryLater: async (d: ClaimedDelivery, delayMs: number, error: string) =>
      void settled.push(`retry ${d.destination} in ${delayMs} ms: ${error}`),
    park: async (d: ClaimedDelivery, error: string) => void settled.push(`parked ${d.destination}: ${error}`),
  };
}

const delivery = (destination: ResultDestination, attempt: number): ClaimedDelivery => ({ event: EVENT, destination, attempt });
const options = { pollMs: 10, batch: 10, leaseMs: 1_000, maxAttempts: 3, retryBaseMs: 1_000, retryMaxMs: 60_000, random: () => 0 };

function dispatcher(outbox: ReturnType<typeof fakeOutbox>, send: SendEvent) {
  const outcomes: DeliveryOutcome[] = [];
  const d = new ResultDispatcher(outbox, { webhook: send, sqs: send }, options, pino({ level: "silent" }), (_kind, o) => outcomes.push(o));
  return { d, outcomes };
}

describe("ResultDispatcher", () => {
  it("sends the event body to the destination's target and deletes the delivery once accepted", async () => {
    const sent: { target: string; body: string; groupId: string }[] = [];
    const outbox = fakeOutbox([delivery("webhook:https://hooks.example/a?token=x", 1), delivery("sqs:https://sqs.example/q", 1)]);
    const { d, outcomes } = dispatcher(
      outbox,
      async (target, body, envelope) => void sent.push({ target, body, groupId: envelope.groupId }),
    );
    expect(await d.dispatchDue()).toBe(2);
    expect(sent.map((s) => s.target)).toEqual(["https://hooks.example/a?token=x", "https://sqs.example/q"]);
    const body = ResultEventSchema.parse(JSON.parse(sent[0]!.body));
    expect(body).toMatchObject({ id: EVENT.id, type: "analysis.done", bucket: "videos", key: "a.mp4", version: { etag: "abc" } });
    expect(body.snapshot).toMatchObject({ file: "a.mp4", status: "done", sceneCuts: [4] });
    expect(sent[0]!.groupId).toBe("videos/a.mp4");
    expect(outbox.settled).toEqual(["delivered webhook:https://hooks.example/a?token=x", "delivered sqs:https://sqs.example/q"]);
    expect(outcomes).toEqual(["delivered", "delivered"]);
  });

  it("retries a refused delivery with backoff, and parks it after the last attempt", async () => {
    const outbox = fakeOutbox([delivery("webhook:https://h.example/", 1), delivery("webhook:https://h.example/", 3)]);
    const { d, outcomes } = dispatcher(outbox, async () => {
      throw new Error("the receiver answered HTTP 503");
    });
    await d.dispatchDue();
    expect(outbox.settled).toEqual([
      "retry webhook:https://h.example/ in 500 ms: Error: the receiver answered HTTP 503",
      "parked webhook:https://h.example/: Error: the receiver answered HTTP 503",
    ]);
    expect(outcomes).toEqual(["retry", "parked"]);
  });

  it("treats a destination with no sender on this replica as a failed attempt, not a lost event", async () => {
    const outbox = fakeOutbox([delivery("sns:arn:aws:sns:us-east-1:1:t", 1)]);
    const { d } = dispatcher(outbox, async () => {});
    await d.dispatchDue();
    expect(outbox.settled).toEqual(["retry sns:arn:aws:sns:us-east-1:1:t in 500 ms: Error: no sns sender is configured on this replica"]);
  });

  it("stops: start() polls until stop(), which waits for the round in flight", async () => {
    const outbox = fakeOutbox([delivery("webhook:https://h.example/", 1)]);
    const { d } = dispatcher(outbox, async () => new Promise((r) => setTimeout(r, 30)));
    d.start();
    await new Promise((r) => setTimeout(r, 5));
    await d.stop();
    expect(outbox.settled).toEqual(["delivered webhook:https://h.example/"]);
  });

  it("stops at once while idle, however long its poll interval, and pauses again after a restart", async () => {
    let claims = 0;
    const outbox = { ...fakeOutbox([]), claimDue: async () => (claims++, []) };
    const d = new ResultDispatcher(outbox, {}, { ...options, pollMs: 60_000 }, pino({ level: "silent" }));
    const stopsWithin = async (ms: number) =>
      Promise.race([d.stop().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    d.start();
    await new Promise((r) => setTimeout(r, 5));
    expect(await stopsWithin(1_000)).toBe(true);
    d.start();
    await new Promise((r) => setTimeout(r, 50));
    // One round, then the pause: a stop signal left aborted would make it poll without pausing.
    expect(claims).toBe(2);
    expect(await stopsWithin(1_000)).toBe(true);
  });
});
