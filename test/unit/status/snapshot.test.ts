import { describe, expect, it } from "vitest";
import { buildSnapshot, pendingSnapshot } from "../../../src/status/snapshot.js";
import type { VideoStatusRecord } from "../../../src/store/status-queries.js";

function record(): VideoStatusRecord {
  return {
    bucket: "videos",
    key: "a.mp4",
    status: "done",
    progress: 1,
    attempts: 2,
    takeovers: 1,
    durationSec: 16,
    sceneCuts: [4, 9, 13],
    duplicates: [
      {
        bucket: "videos",
        file: "b.mp4",
        otherDurationSec: 16,
        score: 0.9,
        kind: "near-duplicate",
        offsetSec: 0,
        segment: [0, 16],
        otherSegment: [0, 16],
      },
    ],
    errorCode: null,
    errorMessage: null,
    updatedAt: new Date("2026-11-23T10:00:00Z"),
  };
}

describe("status snapshots", () => {
  it("maps a stored record to the API shape", () => {
    expect(buildSnapshot(record())).toEqual({
      bucket: "videos",
      file: "a.mp4",
      status: "done",
      progress: 1,
      attempts: 2,
      takeovers: 1,
      durationSec: 16,
      sceneCuts: [4, 9, 13],
      duplicates: [
        {
          bucket: "videos",
          file: "b.mp4",
          otherDurationSec: 16,
          score: 0.9,
          kind: "near-duplicate",
          offsetSec: 0,
          segment: [0, 16],
          otherSegment: [0, 16],
        },
      ],
      updatedAt: "2026-11-23T10:00:00.000Z",
    });
  });

  it("is deeply frozen: a reader cannot change it", () => {
    const snapshot = buildSnapshot(record());
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(() => {
      (snapshot as { status: string }).status = "failed";
    }).toThrow(TypeError);
    expect(() => (snapshot.sceneCuts as number[]).push(99)).toThrow(TypeError);
    expect(() => {
      (snapshot.duplicates[0] as { score: number }).score = 0;
    }).toThrow(TypeError);
  });

  it("shares nothing with the record it came from", () => {
    const source = record();
    const snapshot = buildSnapshot(source);
    source.sceneCuts.push(20);
    source.duplicates[0]!.score = 0.1;
    expect(snapshot.sceneCuts).toEqual([4, 9, 13]);
    expect(snapshot.duplicates[0]?.score).toBe(0.9);
  });

  it("shows the error code and message of a failed job, and no error otherwise", () => {
    const failed = buildSnapshot({
      ...record(),
      status: "failed",
      errorCode: "NOT_A_VIDEO",
      errorMessage: "The file has no video stream.",
    });
    expect(failed.error).toEqual({ code: "NOT_A_VIDEO", message: "The file has no video stream." });
    expect(buildSnapshot(record())).not.toHaveProperty("error");
  });

  it("describes an object whose event has not arrived yet as pending", () => {
    const snapshot = pendingSnapshot({ bucket: "videos", key: "new.mp4" }, new Date("2026-11-23T10:00:00Z"));
    expect(snapshot).toMatchObject({ bucket: "videos", file: "new.mp4", status: "pending", progress: 0, duplicates: [] });
    expect(Object.isFrozen(snapshot.duplicates)).toBe(true);
  });
});
