import type { JobStatus } from "../domain/job.js";
import type { MatchKind } from "../domain/match.js";
import type { ObjectRef } from "../domain/object-event.js";
import { toMatchKind } from "./match-store.js";
import type { Db, Tx } from "./prisma.js";

/** A video's stored state, as the status endpoint needs it. Plain data. */
export interface VideoStatusRecord {
  readonly bucket: string;
  readonly key: string;
  readonly status: JobStatus;
  readonly progress: number;
  /** How many times a worker started the job, and how many of those took over a dead one's. */
  readonly attempts: number;
  readonly takeovers: number;
  readonly durationSec: number | null;
  readonly sceneCuts: number[];
  readonly duplicates: {
    bucket: string;
    file: string;
    otherDurationSec: number | null;
    score: number;
    kind: MatchKind;
    offsetSec: number;
    segment: [number, number];
    otherSegment: [number, number];
  }[];
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly updatedAt: Date;
}

export interface AnalysedVersion {
  readonly etag: string | undefined;
  readonly durationSec: number;
  readonly formatName: string | undefined;
}

export interface RecentVideo {
  readonly key: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly durationSec: number | null;
  readonly duplicates: number;
  readonly updatedAt: Date;
}

/** Read models: what the status endpoint, the pages and the metrics show. No writes. */
export class StatusQueries {
  constructor(private readonly db: Db) {}

  async findStatus(ref: ObjectRef): Promise<VideoStatusRecord | undefined> {
    return (await readVideoStatus(this.db, { bucket_key: { bucket: ref.bucket, key: ref.key } }))?.record;
  }

  /** The most recently updated videos with their job state, for the overview page. */
  async listRecent(bucket: string, limit: number): Promise<RecentVideo[]> {
    const videos = await this.db.video.findMany({
      where: { bucket },
      orderBy: { updatedAt: "desc" },
      take: limit,
      select: {
        key: true,
        updatedAt: true,
        durationSec: true,
        job: { select: { status: true, progress: true, updatedAt: true } },
        _count: { select: { matches: true } },
      },
    });
    return videos.map((v) => ({
      key: v.key,
      status: v.job?.status ?? "pending",
      progress: v.job?.status === "done" ? 1 : (v.job?.progress ?? 0),
      durationSec: v.durationSec,
      duplicates: v._count.matches,
      updatedAt: maxDate(v.updatedAt, v.job?.updatedAt),
    }));
  }

  /** What was analysed of a `done` video: the version (ETag), its length and container. */
  async analysedVersion(ref: ObjectRef): Promise<AnalysedVersion | undefined> {
    const video = await this.db.video.findUnique({
      where: { bucket_key: { bucket: ref.bucket, key: ref.key } },
      select: { etag: true, durationSec: true, formatName: true, job: { select: { status: true } } },
    });
    if (video?.job?.status !== "done" || video.durationSec === null) return undefined;
    return { etag: video.etag ?? undefined, durationSec: video.durationSec, formatName: video.formatName ?? undefined };
  }

  async countJobsByStatus(): Promise<Partial<Record<JobStatus, number>>> {
    const rows = await this.db.job.groupBy({ by: ["status"], _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  }
}

/**
 * A video's status record and the version it is of (ETag, event order), through the client or
 * inside a transaction (the result outbox reads it as it commits). One query.
 */
export async function readVideoStatus(
  client: Pick<Tx, "video">,
  where: { id: string } | { bucket_key: { bucket: string; key: string } },
): Promise<{ record: VideoStatusRecord; version: { etag: string | null; order: string | null } } | undefined> {
  const video = await client.video.findUnique({
    where,
    include: {
      job: true,
      cuts: { orderBy: { ordinal: "asc" }, select: { timeSec: true } },
      matches: { orderBy: { score: "desc" }, include: { otherVideo: { select: { bucket: true, key: true, durationSec: true } } } },
    },
  });
  if (!video) return undefined;
  const job = video.job;
  const record: VideoStatusRecord = {
    bucket: video.bucket,
    key: video.key,
    status: job?.status ?? "pending",
    progress: job?.progress ?? 0,
    attempts: job?.attempts ?? 0,
    takeovers: job?.takeovers ?? 0,
    durationSec: video.durationSec,
    sceneCuts: video.cuts.map((c) => c.timeSec),
    duplicates: video.matches.map((m) => ({
      bucket: m.otherVideo.bucket,
      file: m.otherVideo.key,
      otherDurationSec: m.otherVideo.durationSec,
      score: m.score,
      kind: toMatchKind(m.kind),
      offsetSec: m.offsetSec,
      segment: [m.segmentStart, m.segmentEnd],
      otherSegment: [m.otherStart, m.otherEnd],
    })),
    errorCode: job?.errorCode ?? null,
    errorMessage: job?.errorMessage ?? null,
    updatedAt: maxDate(video.updatedAt, job?.updatedAt),
  };
  return { record, version: { etag: video.etag, order: video.eventOrder } };
}

function maxDate(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}
