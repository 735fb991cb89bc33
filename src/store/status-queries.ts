import type { JobStatus } from "../domain/job.js";
import {
  inTimeOrder,
  SNAPSHOT_DUPLICATES,
  type DuplicatePosition,
  type FrameRegion,
  type MatchEvidence,
  type MatchKind,
  type SharedSegment,
} from "../domain/match.js";
import type { ObjectRef } from "../domain/object-event.js";
import { toMatchKind } from "./match-store.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Db, Tx } from "./prisma.js";

/** One video a video shares footage with. Plain data. */
export interface DuplicateRecord {
  readonly bucket: string;
  readonly file: string;
  readonly otherDurationSec: number | null;
  readonly score: number;
  readonly kind: MatchKind;
  readonly offsetSec: number;
  readonly segment: [number, number];
  readonly otherSegment: [number, number];
  readonly moreSegments: SharedSegment[];
  readonly flipped: boolean;
  readonly rate: number;
  readonly region: FrameRegion | null;
  readonly otherRegion: FrameRegion | null;
  readonly evidence: MatchEvidence;
  /** Its place in the video's list of duplicates (a page starts after it). */
  readonly position: DuplicatePosition;
}

/** The video's duplicate group: it and its whole copies (src/store/group-rows.ts). */
export interface GroupRecord {
  readonly id: string;
  readonly size: number;
  readonly earliest: { readonly bucket: string; readonly key: string };
}

/** A page of a video's duplicates, strongest first. */
export interface DuplicatesPageRecord {
  readonly total: number;
  readonly duplicates: DuplicateRecord[];
  /** Where the next page starts; null on the last. */
  readonly next: DuplicatePosition | null;
}

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
  /** The strongest SNAPSHOT_DUPLICATES, then how many there are in all and where the rest start. */
  readonly duplicates: DuplicateRecord[];
  readonly duplicateCount: number;
  readonly moreDuplicates: DuplicatePosition | null;
  readonly group: GroupRecord | null;
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

  /**
   * A page of a video's duplicates after `after` (from the strongest when undefined): keyset
   * pagination, so a page costs the same however deep it is. Undefined for an unknown video.
   */
  async listDuplicates(ref: ObjectRef, after: DuplicatePosition | undefined, limit: number): Promise<DuplicatesPageRecord | undefined> {
    const video = await this.db.video.findUnique({
      where: { bucket_key: { bucket: ref.bucket, key: ref.key } },
      select: { id: true, _count: { select: { matches: true } } },
    });
    if (!video) return undefined;
    const rows = await this.db.match.findMany({
      where: {
        videoId: video.id,
        ...(after ? { OR: [{ score: { lt: after.score } }, { score: after.score, otherVideoId: { gt: after.otherVideoId } }] } : {}),
      },
      ...STRONGEST_FIRST,
      take: limit + 1,
    });
    return { total: video._count.matches, ...pageOf(rows, limit) };
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
      matches: { ...STRONGEST_FIRST, take: SNAPSHOT_DUPLICATES + 1 },
      _count: { select: { matches: true } },
    },
  });
  if (!video) return undefined;
  const job = video.job;
  const { duplicates, next } = pageOf(video.matches, SNAPSHOT_DUPLICATES);
  const record: VideoStatusRecord = {
    bucket: video.bucket,
    key: video.key,
    status: job?.status ?? "pending",
    progress: job?.progress ?? 0,
    attempts: job?.attempts ?? 0,
    takeovers: job?.takeovers ?? 0,
    durationSec: video.durationSec,
    sceneCuts: video.cuts.map((c) => c.timeSec),
    duplicates,
    duplicateCount: video._count.matches,
    moreDuplicates: next,
    group: video.groupId ? await readGroup(client, video.groupId) : null,
    errorCode: job?.errorCode ?? null,
    errorMessage: job?.errorMessage ?? null,
    updatedAt: maxDate(video.updatedAt, job?.updatedAt),
  };
  return { record, version: { etag: video.etag, order: video.eventOrder } };
}

/** A video's matches in list order (the index match(video_id, score DESC, other_video_id)), with what a duplicate shows of the other video. */
const STRONGEST_FIRST = {
  orderBy: [{ score: "desc" }, { otherVideoId: "asc" }],
  include: { otherVideo: { select: { bucket: true, key: true, durationSec: true } } },
} as const satisfies Prisma.MatchFindManyArgs;

type MatchRow = Prisma.MatchGetPayload<{ include: (typeof STRONGEST_FIRST)["include"] }>;

function duplicateRecord(m: MatchRow): DuplicateRecord {
  return {
    bucket: m.otherVideo.bucket,
    file: m.otherVideo.key,
    otherDurationSec: m.otherVideo.durationSec,
    score: m.score,
    kind: toMatchKind(m.kind),
    offsetSec: m.offsetSec,
    segment: [m.segmentStart, m.segmentEnd],
    otherSegment: [m.otherStart, m.otherEnd],
    moreSegments: segmentPairs(m.moreSegments, m.moreOtherSegments),
    flipped: m.flipped,
    rate: m.rate,
    region: frameRegion(m.region),
    otherRegion: frameRegion(m.otherRegion),
    evidence: m.evidence,
    position: { score: m.score, otherVideoId: m.otherVideoId },
  };
}

/** Stored further segments ([start, end] pairs flattened, here and there), in this video's time order. */
function segmentPairs(here: readonly number[], there: readonly number[]): SharedSegment[] {
  const pairs: SharedSegment[] = [];
  for (let i = 0; i + 1 < Math.min(here.length, there.length); i += 2) {
    pairs.push({ segment: [here[i]!, here[i + 1]!], otherSegment: [there[i]!, there[i + 1]!] });
  }
  return inTimeOrder(pairs);
}

/** A stored region (four shares of the frame), or null for none. */
const frameRegion = (values: readonly number[] | null): FrameRegion | null =>
  values?.length === 4 ? [values[0]!, values[1]!, values[2]!, values[3]!] : null;

/** The first `limit` of rows read `limit + 1` at a time, and where the rest start (null when there is no more). */
function pageOf(rows: readonly MatchRow[], limit: number): { duplicates: DuplicateRecord[]; next: DuplicatePosition | null } {
  const duplicates = rows.slice(0, limit).map(duplicateRecord);
  return { duplicates, next: rows.length > limit ? (duplicates.at(-1)?.position ?? null) : null };
}

/** A group's size and earliest member: two index scans of video(group_id, num). */
async function readGroup(client: Pick<Tx, "video">, id: string): Promise<GroupRecord | null> {
  const earliest = await client.video.findFirst({ where: { groupId: id }, orderBy: { num: "asc" }, select: { bucket: true, key: true } });
  if (!earliest) return null;
  return { id, size: await client.video.count({ where: { groupId: id } }), earliest };
}

function maxDate(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}
