import { z } from "zod";
import { JOB_STATUSES } from "../domain/job.js";
import { MATCH_KINDS } from "../domain/match.js";
import type { ObjectRef } from "../domain/object-event.js";
import type { VideoStatusRecord } from "../store/status-queries.js";

const Seconds = z.number().describe("seconds");
const Segment = z.tuple([Seconds, Seconds]).readonly().describe("[start, end] in seconds");

export const DuplicateEntrySchema = z
  .object({
    bucket: z.string().describe("the other object's bucket"),
    file: z.string().describe("the other object's key"),
    otherDurationSec: z.number().nullable().describe("the other video's duration"),
    score: z.number().min(0).max(1),
    kind: z.enum(MATCH_KINDS),
    offsetSec: z.number().describe("seconds to add to a time in this video to find the same moment in the other"),
    segment: Segment.describe("the matched footage in this video"),
    otherSegment: Segment.describe("the matched footage in the other video"),
  })
  .readonly()
  .meta({ id: "Duplicate" });

/** The API's view of one object. The schema is the contract: /openapi.json is built from it. */
export const StatusSnapshotSchema = z
  .object({
    bucket: z.string(),
    file: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number().min(0).max(1),
    attempts: z.number().int().min(0).describe("analyses started, retries included"),
    takeovers: z.number().int().min(0).describe("attempts that replaced a worker that died or lost contact"),
    durationSec: z.number().nullable(),
    sceneCuts: z.array(Seconds).readonly(),
    duplicates: z.array(DuplicateEntrySchema).readonly(),
    error: z.object({ code: z.string(), message: z.string() }).readonly().optional().describe("present when status is failed"),
    updatedAt: z.iso.datetime(),
  })
  .readonly()
  .meta({ id: "StatusSnapshot" });

export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;
export type DuplicateEntry = z.infer<typeof DuplicateEntrySchema>;

/** Freezes an object graph of plain data, so a snapshot can be shared without copying. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Builds an immutable snapshot from a stored record. The snapshot owns fresh arrays and
 * objects, so neither the record nor anything a reader does to it can change the other.
 */
export function buildSnapshot(record: VideoStatusRecord): StatusSnapshot {
  const snapshot: StatusSnapshot = {
    bucket: record.bucket,
    file: record.key,
    status: record.status,
    progress: record.status === "done" ? 1 : Math.round(record.progress * 1000) / 1000,
    attempts: record.attempts,
    takeovers: record.takeovers,
    durationSec: record.durationSec,
    sceneCuts: [...record.sceneCuts],
    duplicates: record.duplicates.map((d) => ({
      bucket: d.bucket,
      file: d.file,
      otherDurationSec: d.otherDurationSec,
      score: d.score,
      kind: d.kind,
      offsetSec: d.offsetSec,
      segment: [d.segment[0], d.segment[1]],
      otherSegment: [d.otherSegment[0], d.otherSegment[1]],
    })),
    ...(record.status === "failed" && record.errorCode
      ? { error: { code: record.errorCode, message: record.errorMessage ?? record.errorCode } }
      : {}),
    updatedAt: record.updatedAt.toISOString(),
  };
  return deepFreeze(snapshot);
}

/** The snapshot of an object that is in the bucket but whose event has not been handled yet. */
export function pendingSnapshot(ref: ObjectRef, now: Date): StatusSnapshot {
  return deepFreeze({
    bucket: ref.bucket,
    file: ref.key,
    status: "pending",
    progress: 0,
    attempts: 0,
    takeovers: 0,
    durationSec: null,
    sceneCuts: [],
    duplicates: [],
    updatedAt: now.toISOString(),
  });
}
