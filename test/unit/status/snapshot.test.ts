import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../../src/status/duplicate-cursor.js";
import { buildDuplicatesPage, buildSnapshot, pendingSnapshot } from "../../../src/status/snapshot.js";
import type { VideoStatusRecord } from "../../../src/store/status-queries.js";

const OTHER = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

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
        moreSegments: [],
        flipped: false,
        rate: 1,
        region: null,
        otherRegion: null,
        evidence: "picture",
        position: { score: 0.9, otherVideoId: OTHER },
      },
    ],
    duplicateCount: 1,
    moreDuplicates: null,
    group: null,
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
          moreSegments: [],
          flipped: false,
          rate: 1,
          region: null,
          otherRegion: null,
          evidence: "picture",
        },
      ],
      duplicateCount: 1,
      duplicatesNext: null,
      group: null,
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
    source.duplicates[0]!.segment[0] = 5;
    expect(snapshot.sceneCuts).toEqual([4, 9, 13]);
    expect(snapshot.duplicates[0]?.segment).toEqual([0, 16]);
  });

  it("names the group and, when the list is cut, the cursor of the rest", () => {
    const group = { id: "9d3b7c1e-2f4a-4b5c-8d6e-7f8a9b0c1d2e", size: 300, earliest: { bucket: "videos", key: "first.mp4" } };
    const snapshot = buildSnapshot({ ...record(), duplicateCount: 299, moreDuplicates: { score: 0.9, otherVideoId: OTHER }, group });
    expect(snapshot.group).toEqual({ id: group.id, size: 300, earliest: { bucket: "videos", file: "first.mp4" } });
    expect(snapshot.duplicateCount).toBe(299);
    expect(decodeCursor(snapshot.duplicatesNext!)).toEqual({ score: 0.9, otherVideoId: OTHER });
  });

  it("builds a frozen page of duplicates with the next page's cursor", () => {
    const page = buildDuplicatesPage(
      { bucket: "videos", key: "a.mp4" },
      { total: 3, duplicates: record().duplicates, next: { score: 0.9, otherVideoId: OTHER } },
    );
    expect(page).toMatchObject({ bucket: "videos", file: "a.mp4", total: 3, next: encodeCursor({ score: 0.9, otherVideoId: OTHER }) });
    expect(page.duplicates[0]).not.toHaveProperty("position");
    expect(Object.isFrozen(page.duplicates[0])).toBe(true);
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

describe("duplicate cursors", () => {
  it("round-trip a position exactly, scores included", () => {
    for (const score of [1, 0.9, 0.123456789012345, 5e-324]) {
      expect(decodeCursor(encodeCursor({ score, otherVideoId: OTHER }))).toEqual({ score, otherVideoId: OTHER });
    }
  });

  it("refuse anything the service did not make", () => {
    const made = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const cursor of [
      "",
      "not a cursor!",
      "x".repeat(201),
      made({ score: 1 }),
      made([1]),
      made(["1", OTHER]),
      made([1, "not-a-uuid"]),
      made([null, OTHER]),
      Buffer.from("[1e999, 1]").toString("base64url"),
      Buffer.from("{").toString("base64url"),
    ]) {
      expect(decodeCursor(cursor), cursor).toBeUndefined();
    }
  });
});
