import type { VideoStatusRecord } from "../store/video-repository.js";

export type SnapshotStatus = "pending" | "analyzing" | "done" | "failed";
export type DuplicateKind = "identical" | "near-duplicate" | "partial";

export interface DuplicateEntry {
  readonly file: string;
  readonly score: number;
  readonly kind: DuplicateKind;
  /** Seconds to add to a time in this video to find the same moment in the other. */
  readonly offsetSec: number;
  /** The matched footage: [start, end] seconds in this video, and in the other one. */
  readonly segment: readonly [number, number];
  readonly otherSegment: readonly [number, number];
}

export interface StatusSnapshot {
  readonly file: string;
  readonly status: SnapshotStatus;
  readonly progress: number;
  /** Analyses started (retries included); `takeovers` of them replaced a worker that died. */
  readonly attempts: number;
  readonly takeovers: number;
  readonly durationSec: number | null;
  readonly sceneCuts: readonly number[];
  readonly duplicates: readonly DuplicateEntry[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly updatedAt: string;
}

const KIND_NAMES = { identical: "identical", near_duplicate: "near-duplicate", partial: "partial" } as const;

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
    file: record.key,
    status: record.status,
    progress: record.status === "done" ? 1 : Math.round(record.progress * 1000) / 1000,
    attempts: record.attempts,
    takeovers: record.takeovers,
    durationSec: record.durationSec,
    sceneCuts: [...record.sceneCuts],
    duplicates: record.duplicates.map((d) => ({
      file: d.file,
      score: d.score,
      kind: KIND_NAMES[d.kind],
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
export function pendingSnapshot(key: string, now: Date): StatusSnapshot {
  return deepFreeze({ file: key, status: "pending", progress: 0, attempts: 0, takeovers: 0, durationSec: null, sceneCuts: [], duplicates: [], updatedAt: now.toISOString() });
}
