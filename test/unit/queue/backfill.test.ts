import { describe, expect, it } from "vitest";
import type { ListedObject } from "../../../src/objects/object-store.js";
import { backfillMessage, pacingDelayMs, runBackfill, type BackfillPorts } from "../../../src/queue/backfill.js";
import { parseS3Notification } from "../../../src/queue/s3-event.js";

const object = (key: string, etag = `"${key.length}abc"`, lastModified = new Date("2026-01-10T00:00:00Z")): ListedObject => ({
  key,
  etag,
  sizeBytes: 100,
  lastModified,
});

/** A bucket of pages, a catalog and a queue in memory, with a clock that only moves when slept. */
function fakes(pages: ListedObject[][], analysed: Record<string, string> = {}, depths: number[] = []) {
  const sent: string[][] = [];
  const slept: number[] = [];
  let clock = 0;
  const ports: BackfillPorts = {
    async *pages() {
      for (const page of pages) yield page;
    },
    analysedEtags: async (keys) => new Map(keys.filter((k) => k in analysed).map((k) => [k, analysed[k]!])),
    send: async (bodies) => void sent.push([...bodies]),
    depth: async () => depths.shift() ?? 0,
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  };
  return {
    ports,
    sent,
    slept,
    keysSent: () => sent.flat().map((b) => (JSON.parse(b) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key),
  };
}

const options = { bucket: "videos", dryRun: false, ratePerSec: 0, maxDepth: 0 };

describe("backfill", () => {
  it("sends what was never analysed or changed since, skips what was analysed at the listed ETag, in batches of ten", async () => {
    const page1 = Array.from({ length: 12 }, (_, i) => object(`k${String(i).padStart(2, "0")}`));
    const page2 = [object("z-changed", '"new"'), object("z-same", '"same"')];
    const f = fakes([page1, page2], { k00: "3abc", k01: "3abc", "z-changed": "old", "z-same": "same" });
    const result = await runBackfill(f.ports, options, () => {});
    expect(result).toMatchObject({ listed: 14, enqueued: 11, skippedAnalysed: 3, skippedOlder: 0, resumeAfter: "z-same", stopped: false });
    expect(f.sent.map((b) => b.length)).toEqual([10, 1]);
    expect(f.keysSent()).toEqual([...page1.slice(2).map((o) => o.key), "z-changed"]);
  });

  it("hands each object over as an S3 notification the service's own parser reads back to the same key, size and ETag", () => {
    for (const key of ["plain.mp4", "with space+plus.mp4", "dir/ünï cødé/%41.mp4"]) {
      const parsed = parseS3Notification(JSON.parse(backfillMessage("videos", object(key, '"e1"'))));
      expect(parsed).toMatchObject({
        kind: "changes",
        changes: [{ change: "created", bucket: "videos", key, size: 100, etag: "e1", eventTime: "2026-01-10T00:00:00.000Z" }],
      });
    }
  });

  it("--since leaves older objects out; --dry-run counts and sends nothing", async () => {
    const f = fakes([[object("old", '"a"', new Date("2024-06-01")), object("new", '"b"', new Date("2026-02-01"))]]);
    const result = await runBackfill(f.ports, { ...options, since: new Date("2025-01-01"), dryRun: true }, () => {});
    expect(result).toMatchObject({ listed: 2, enqueued: 1, skippedOlder: 1, skippedAnalysed: 0 });
    expect(f.sent).toEqual([]);
  });

  it("keeps to the rate, a message at a time below ten per second", async () => {
    expect(pacingDelayMs(0, 1_000, 1_000, 2)).toBe(0);
    expect(pacingDelayMs(3, 1_000, 1_200, 2)).toBe(1_300);
    expect(pacingDelayMs(5, 0, 10_000, 0)).toBe(0);
    const f = fakes([[object("a"), object("b"), object("c")]]);
    await runBackfill(f.ports, { ...options, ratePerSec: 2 }, () => {});
    expect(f.sent.map((b) => b.length)).toEqual([2, 1]);
    expect(f.slept).toEqual([1_000]);
  });

  it("waits while the queue is at its bound, and says so", async () => {
    const f = fakes([[object("a")]], {}, [1200, 1000, 10]);
    const waiting: (number | undefined)[] = [];
    await runBackfill(f.ports, { ...options, maxDepth: 1000 }, (p) => waiting.push(p.waitingForDepth));
    expect(f.slept).toEqual([1_000, 1_000]);
    expect(waiting).toContain(1200);
    expect(waiting.at(-1)).toBeUndefined();
    expect(f.sent.flat()).toHaveLength(1);
  });

  it("stops when asked, between batches, and reports where to resume", async () => {
    const stop = new AbortController();
    const f = fakes([[object("a"), object("b")], [object("c")]]);
    const result = await runBackfill(f.ports, { ...options, ratePerSec: 1, signal: stop.signal }, (p) => {
      if (p.enqueued === 1) stop.abort();
    });
    expect(result).toMatchObject({ enqueued: 1, stopped: true, resumeAfter: undefined });
  });
});
