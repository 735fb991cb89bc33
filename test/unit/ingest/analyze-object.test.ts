import { describe, expect, it, vi } from "vitest";
import { InspectorError } from "../../../src/domain/errors.js";
import type { ObjectCreated } from "../../../src/domain/object-event.js";
import { analyzeObject } from "../../../src/ingest/analyze-object.js";
import { EARLY_CHECKPOINTS_SEC } from "../../../src/ingest/early-matcher.js";
import { encodeSignature, SAMPLE_RATE } from "../../../src/fingerprint/signature.js";
import { hashCentreStrip } from "../../../src/fingerprint/centre-strip.js";
import { isStripRow, stripIndexEntries } from "../../../src/fingerprint/stored-rows.js";
import { FakeJob, FakeJobs, FakeMedia, fakeObjects, grayFrames, ingestDeps, InMemoryIndex, signatureOf } from "./fakes.js";

const object: ObjectCreated = {
  bucket: "videos",
  key: "clip.mp4",
  size: 1000,
  etag: "e1",
  eventTime: "2026-11-29T06:00:00",
  sequencer: undefined,
};
const signal = new AbortController().signal;

describe("analyzeObject (the ingest use case, on in-memory ports)", () => {
  it("claims the job with the version HEAD saw (not the event's), analyses, stores the fingerprint and finishes", async () => {
    const job = new FakeJob();
    const jobs = new FakeJobs({ outcome: "claimed", job });
    const frames = grayFrames(20);
    const head = { sizeBytes: 1000, etag: '"e-head"', lastModified: new Date("2026-11-29T06:01:00Z") };
    const outcome = await analyzeObject(
      ingestDeps({ jobs, objects: fakeObjects(head), media: new FakeMedia(frames) }),
      object,
      "m1",
      signal,
    );
    expect(outcome).toBe("done");
    expect(jobs.events).toEqual([{ bucket: "videos", key: "clip.mp4", etag: '"e-head"', order: "t:2026-11-29T06:01:00.000Z" }]);
    expect(job.calls).toEqual([
      "recordHead",
      "recordContent",
      "recordMediaInfo",
      "storeFingerprint",
      "saveFinalMatches",
      "deleteMatches",
      "finish",
    ]);
    expect(job.fingerprint?.signature.length).toBe(frames.length * 8);
    expect(job.ended).toEqual({ status: "done" });
  });

  it("acknowledges deliveries that find nothing to do, and retries a busy job when its holder's lease ends", async () => {
    const media = new FakeMedia([]);
    const objects = fakeObjects({ sizeBytes: 1000 });
    const seen = { videoId: "v", jobId: "j" };
    const run = (claim: ConstructorParameters<typeof FakeJobs>[0]) =>
      analyzeObject(ingestDeps({ jobs: new FakeJobs(claim), objects, media }), object, "m1", signal);
    expect(await run({ outcome: "already-finished", ...seen, status: "done" })).toBe("already-finished");
    expect(await run({ outcome: "superseded", ...seen })).toBe("already-finished");
    expect(await run({ outcome: "held-elsewhere", ...seen })).toBe("held-elsewhere");
    await expect(run({ outcome: "wait", ...seen, retryAfterMs: 4_200 })).rejects.toMatchObject({ code: "JOB_BUSY", retryAfterMs: 4_200 });
  });

  it("an event for an object that is not there is acknowledged and stores nothing (no job, no status)", async () => {
    const jobs = new FakeJobs({ outcome: "claimed", job: new FakeJob() });
    expect(await analyzeObject(ingestDeps({ jobs, objects: fakeObjects(undefined), media: new FakeMedia([]) }), object, "m1", signal)).toBe(
      "missing",
    );
    expect(jobs.events).toEqual([]);
  });

  it("a re-upload with the same ETag and size is listed as identical at once, confirmed by the download's SHA-256, never decoded", async () => {
    const job = new FakeJob();
    const download = vi.fn(async () => ({ sizeBytes: 1000, sha256: "s".repeat(64) }));
    const media = new FakeMedia(grayFrames(20));
    const deps = ingestDeps({
      jobs: new FakeJobs({ outcome: "claimed", job }),
      objects: fakeObjects({ sizeBytes: 1000, etag: '"e1"' }, download),
      media,
      identical: {
        findIdenticalUpload: async () => ({ videoId: "video-original", durationSec: 30 }),
        findIdenticalContent: async () => ({ videoId: "video-original", durationSec: 30 }),
      },
    });
    expect(await analyzeObject(deps, object, "m1", signal)).toBe("done");
    expect(download).toHaveBeenCalledOnce();
    expect(media.delivered).toBe(0);
    expect(job.calls).toEqual(["recordHead", "saveMatches", "recordContent", "copyAnalysis", "saveFinalMatches", "copyMatches", "finish"]);
    expect(job.matches.at(-1)).toEqual({
      otherVideoId: "video-original",
      score: 1,
      kind: "identical",
      offsetSec: 0,
      segment: [0, 30],
      otherSegment: [0, 30],
      moreSegments: [],
      flipped: false,
      rate: 1,
      region: null,
      otherRegion: null,
      evidence: "picture",
    });
  });

  it("an ETag collision (same ETag and size, other bytes) withdraws the early verdict and analyses the video", async () => {
    const job = new FakeJob();
    const deps = ingestDeps({
      jobs: new FakeJobs({ outcome: "claimed", job }),
      objects: fakeObjects({ sizeBytes: 1000, etag: '"e1"' }),
      media: new FakeMedia(grayFrames(20)),
      identical: {
        findIdenticalUpload: async () => ({ videoId: "video-original", durationSec: 30 }),
        findIdenticalContent: async () => undefined,
      },
    });
    expect(await analyzeObject(deps, object, "m1", signal)).toBe("done");
    expect(job.calls.slice(0, 4)).toEqual(["recordHead", "saveMatches", "recordContent", "deleteMatches"]);
    expect(job.calls).toContain("storeFingerprint");
  });

  it("a SHA-256 that S3 holds (x-amz-checksum-sha256) answers an identical upload with no download at all", async () => {
    const job = new FakeJob();
    const download = vi.fn(async () => ({ sizeBytes: 1000, sha256: "x" }));
    const deps = ingestDeps({
      jobs: new FakeJobs({ outcome: "claimed", job }),
      objects: fakeObjects({ sizeBytes: 1000, etag: '"e1"', sha256: "c".repeat(64) }, download),
      media: new FakeMedia([]),
      identical: {
        findIdenticalUpload: async () => undefined,
        findIdenticalContent: async (sha) => (sha === "c".repeat(64) ? { videoId: "video-original", durationSec: 30 } : undefined),
      },
    });
    expect(await analyzeObject(deps, object, "m1", signal)).toBe("done");
    expect(download).not.toHaveBeenCalled();
    expect(job.calls).toEqual(["recordHead", "copyAnalysis", "saveFinalMatches", "copyMatches", "finish"]);
  });

  it("reports a copy early, while the decode still runs, and confirms it at the end", async () => {
    const frames = grayFrames(60);
    const index = new InMemoryIndex();
    index.add("video-original", 1, "original.mp4", signatureOf(frames));
    const media = new FakeMedia(frames);
    const job = new FakeJob(() => media.delivered);
    const deps = ingestDeps({ jobs: new FakeJobs({ outcome: "claimed", job }), objects: fakeObjects({ sizeBytes: 1000 }), media, index });
    expect(await analyzeObject(deps, object, "m1", signal)).toBe("done");
    // The first early check runs once its prefix is decoded, long before the 60 s are.
    expect(job.samplesAtFirstMatch).toBeGreaterThanOrEqual(EARLY_CHECKPOINTS_SEC[0]! * SAMPLE_RATE);
    expect(job.samplesAtFirstMatch).toBeLessThan(frames.length / 2);
    expect(job.matches.at(-1)).toMatchObject({ otherVideoId: "video-original", kind: "near-duplicate", offsetSec: 0 });
    expect(job.ended).toEqual({ status: "done" });
  });

  it("stores the soundtrack's print beside the picture's; a soundtrack that cannot be read costs only the print", async () => {
    const soundtrack = Uint8Array.from({ length: 400 }, (_, i) => (i * 37) % 251);
    const analyse = async (media: FakeMedia) => {
      const job = new FakeJob();
      const deps = ingestDeps({ jobs: new FakeJobs({ outcome: "claimed", job }), objects: fakeObjects({ sizeBytes: 1000 }), media });
      return { outcome: await analyzeObject(deps, object, "m1", signal), job };
    };
    const heard = await analyse(new FakeMedia(grayFrames(20), {}, soundtrack));
    expect(heard.outcome).toBe("done");
    expect(heard.job.fingerprint?.audioPrint).toEqual(soundtrack);
    const unreadable = await analyse(new FakeMedia(grayFrames(20), { audio: new InspectorError("CORRUPT_MEDIA") }, soundtrack));
    expect(unreadable.outcome).toBe("done");
    expect(unreadable.job.fingerprint?.audioPrint).toBeNull();
    expect((await analyse(new FakeMedia(grayFrames(20)))).job.fingerprint?.audioPrint).toBeNull();
  });

  it("stores a landscape video's centre strip and its rows beside the picture's, unless INDEX_CENTRE_STRIPS is off", async () => {
    const frames = grayFrames(20);
    const analyse = async (storeCentreStrips: boolean) => {
      const job = new FakeJob();
      const jobs = new FakeJobs({ outcome: "claimed", job });
      await analyzeObject(
        ingestDeps({ jobs, objects: fakeObjects({ sizeBytes: 1000 }), media: new FakeMedia(frames), storeCentreStrips }),
        object,
        "m1",
        signal,
      );
      return job.fingerprint!;
    };
    const strip = frames.map((gray) => hashCentreStrip(gray, 640 / 360));
    const stored = await analyse(true);
    expect(stored.stripSignature).toEqual(encodeSignature(strip));
    expect(stored.entries.filter((e) => isStripRow(e.sample))).toEqual(stripIndexEntries(strip));
    expect(stripIndexEntries(strip).length).toBeGreaterThan(0);
    const off = await analyse(false);
    expect(off.stripSignature).toBeNull();
    expect(off.entries.some((e) => isStripRow(e.sample))).toBe(false);
  });

  it("a permanent failure (no video stream) ends the job failed with its code; the message is done with", async () => {
    const job = new FakeJob();
    const media = new FakeMedia(grayFrames(20), { probe: new InspectorError("NOT_A_VIDEO") });
    const outcome = await analyzeObject(
      ingestDeps({ jobs: new FakeJobs({ outcome: "claimed", job }), objects: fakeObjects({ sizeBytes: 1000 }), media }),
      object,
      "m1",
      signal,
    );
    expect(outcome).toBe("failed");
    expect(job.ended).toMatchObject({ status: "failed", code: "NOT_A_VIDEO" });
  });

  it("a transient failure releases the job and is thrown, so the message is retried", async () => {
    const job = new FakeJob();
    const objects = fakeObjects({ sizeBytes: 1000 }, () => Promise.reject(new InspectorError("STORAGE_UNAVAILABLE")));
    const run = analyzeObject(
      ingestDeps({ jobs: new FakeJobs({ outcome: "claimed", job }), objects, media: new FakeMedia([]) }),
      object,
      "m1",
      signal,
    );
    await expect(run).rejects.toMatchObject({ code: "STORAGE_UNAVAILABLE" });
    expect(job.released).toBe(true);
    expect(job.ended).toBeUndefined();
  });

  it("a lost lease stops the analysis: the taken-over job is neither finished nor failed by this worker", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const job = new FakeJob();
      const frames = grayFrames(600);
      const media = new FakeMedia(frames);
      const deps = ingestDeps({
        jobs: new FakeJobs({ outcome: "claimed", job }),
        objects: fakeObjects({ sizeBytes: 1000 }),
        media,
        leaseMs: 3_000,
      });
      const run = analyzeObject(deps, object, "m1", signal);
      await vi.waitFor(() => expect(media.delivered).toBeGreaterThan(0));
      job.held = false;
      vi.advanceTimersByTime(1_000); // the keeper's renewal finds the lease gone
      await expect(run).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect(media.delivered).toBeLessThan(frames.length);
      expect(job.ended).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("a bug (an error nothing classified) fails the job as INTERNAL_ERROR, counted, not retried", async () => {
    const job = new FakeJob();
    const onInternalError = vi.fn();
    const media = new FakeMedia(grayFrames(20), { decode: new TypeError("cannot read properties of undefined") });
    const deps = ingestDeps({
      jobs: new FakeJobs({ outcome: "claimed", job }),
      objects: fakeObjects({ sizeBytes: 1000 }),
      media,
      onInternalError,
    });
    expect(await analyzeObject(deps, object, "m1", signal)).toBe("failed");
    expect(job.ended).toMatchObject({ status: "failed", code: "INTERNAL_ERROR" });
    expect(onInternalError).toHaveBeenCalledOnce();
  });
});
