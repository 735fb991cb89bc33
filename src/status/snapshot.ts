import { z } from "zod";
import { JOB_STATUSES } from "../domain/job.js";
import { MATCH_EVIDENCE, MATCH_KINDS, SNAPSHOT_DUPLICATES } from "../domain/match.js";
import type { ObjectRef } from "../domain/object-event.js";
import type { DuplicateRecord, DuplicatesPageRecord, VideoStatusRecord } from "../store/status-queries.js";
import { encodeCursor } from "./duplicate-cursor.js";

const Seconds = z.number().describe("seconds");
const Segment = z.tuple([Seconds, Seconds]).readonly().describe("[start, end] in seconds");
const Share = z.number().min(0).max(1);
const Region = z.tuple([Share, Share, Share, Share]).readonly().describe("[x0, y0, x1, y1] as shares of the frame's width and height");

export const DuplicateEntrySchema = z
  .object({
    bucket: z.string().describe("the other object's bucket"),
    file: z.string().describe("the other object's key"),
    otherDurationSec: z.number().nullable().describe("the other video's duration"),
    score: z
      .number()
      .min(0)
      .max(1)
      .describe("how much of the shorter video the shared footage covers, every segment counted, times agreement"),
    kind: z.enum(MATCH_KINDS).describe("identical, near-duplicate (both videos mostly covered, every segment counted) or partial"),
    offsetSec: z.number().describe("seconds to add to a time in this video to find the same moment in the other"),
    segment: Segment.describe("the matched footage in this video"),
    otherSegment: Segment.describe("the matched footage in the other video"),
    moreSegments: z
      .array(
        z
          .object({ segment: Segment.describe("in this video"), otherSegment: Segment.describe("in the other video") })
          .readonly()
          .meta({ id: "SharedSegment" }),
      )
      .readonly()
      .describe(
        "further footage the two share at other alignments (a compilation that uses the other video twice, two parts of it out of order), in this video's time order; usually empty",
      ),
    flipped: z.boolean().describe("one video is the other mirrored (flipped left to right)"),
    rate: z
      .number()
      .positive()
      .describe("how fast this video plays the shared footage against the other (1.25: sped up by a quarter; 1: the same speed)"),
    region: Region.nullable().describe(
      "where in this video's frame the other's picture is (an inset, a caption layout, a vertical band); null: the whole frame",
    ),
    otherRegion: Region.nullable().describe("where in the other video's frame this one's picture is; null: the whole frame"),
    evidence: z
      .enum(MATCH_EVIDENCE)
      .describe("what the match rests on: the picture, or the picture with the soundtracks agreeing along the same alignment (both)"),
  })
  .readonly()
  .meta({ id: "Duplicate" });

const DuplicateGroupSchema = z
  .object({
    id: z.uuid().describe("stable: it stays the same while members are added or erased, the earliest included"),
    size: z.number().int().min(2).describe("how many videos the group holds, this one included"),
    earliest: z.object({ bucket: z.string(), file: z.string() }).readonly().describe("the member uploaded first (still in the catalog)"),
  })
  .readonly()
  .meta({ id: "DuplicateGroup", description: "a video and its whole copies (identical or near-duplicate): the same footage" });

const Cursor = z.string().nullable();

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
    duplicates: z
      .array(DuplicateEntrySchema)
      .max(SNAPSHOT_DUPLICATES)
      .readonly()
      .describe(`the strongest ${SNAPSHOT_DUPLICATES} matches, by score; the rest are at GET /duplicates/{file}`),
    duplicateCount: z.number().int().min(0).describe("how many videos share footage with this one"),
    duplicatesNext: Cursor.describe(
      "when duplicateCount exceeds the list: the cursor of GET /duplicates/{file} for the rest; null otherwise",
    ),
    group: DuplicateGroupSchema.nullable().describe(
      "the duplicate group: null until a whole copy of this video (or of its original) is found",
    ),
    error: z.object({ code: z.string(), message: z.string() }).readonly().optional().describe("present when status is failed"),
    updatedAt: z.iso.datetime(),
  })
  .readonly()
  .meta({ id: "StatusSnapshot" });

export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;

/** A page of a video's duplicates (GET /duplicates/{file}). */
export const DuplicatesPageSchema = z
  .object({
    bucket: z.string(),
    file: z.string(),
    total: z.number().int().min(0).describe("how many videos share footage with this one"),
    duplicates: z.array(DuplicateEntrySchema).readonly().describe("strongest first (score), then in a fixed order"),
    next: Cursor.describe("the cursor of the next page; null on the last"),
  })
  .readonly()
  .meta({ id: "DuplicatesPage" });
export type DuplicatesPage = z.infer<typeof DuplicatesPageSchema>;
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
    duplicates: record.duplicates.map(duplicateEntry),
    duplicateCount: record.duplicateCount,
    duplicatesNext: record.moreDuplicates ? encodeCursor(record.moreDuplicates) : null,
    group: record.group
      ? {
          id: record.group.id,
          size: record.group.size,
          earliest: { bucket: record.group.earliest.bucket, file: record.group.earliest.key },
        }
      : null,
    ...(record.status === "failed" && record.errorCode
      ? { error: { code: record.errorCode, message: record.errorMessage ?? record.errorCode } }
      : {}),
    updatedAt: record.updatedAt.toISOString(),
  };
  return deepFreeze(snapshot);
}

/** A page of duplicates as the API shows it; immutable like a snapshot. */
export function buildDuplicatesPage(ref: ObjectRef, page: DuplicatesPageRecord): DuplicatesPage {
  return deepFreeze({
    bucket: ref.bucket,
    file: ref.key,
    total: page.total,
    duplicates: page.duplicates.map(duplicateEntry),
    next: page.next ? encodeCursor(page.next) : null,
  });
}

function duplicateEntry(d: DuplicateRecord): DuplicateEntry {
  return {
    bucket: d.bucket,
    file: d.file,
    otherDurationSec: d.otherDurationSec,
    score: d.score,
    kind: d.kind,
    offsetSec: d.offsetSec,
    segment: [d.segment[0], d.segment[1]],
    otherSegment: [d.otherSegment[0], d.otherSegment[1]],
    moreSegments: d.moreSegments.map((m) => ({
      segment: [m.segment[0], m.segment[1]],
      otherSegment: [m.otherSegment[0], m.otherSegment[1]],
    })),
    flipped: d.flipped,
    rate: d.rate,
    region: d.region && [d.region[0], d.region[1], d.region[2], d.region[3]],
    otherRegion: d.otherRegion && [d.otherRegion[0], d.otherRegion[1], d.otherRegion[2], d.otherRegion[3]],
    evidence: d.evidence,
  };
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
    duplicateCount: 0,
    duplicatesNext: null,
    group: null,
    updatedAt: now.toISOString(),
  });
}
