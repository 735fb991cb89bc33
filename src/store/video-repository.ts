import type { Db } from "./prisma.js";
import type { MediaInfo } from "../media/probe.js";
import type { SceneCut } from "../fingerprint/cut-detector.js";
import type { IndexEntry } from "../fingerprint/signature.js";
import type { ErrorCode } from "../errors.js";
import type { JobStatus, MatchKind } from "../generated/prisma/enums.js";

export type { JobStatus, MatchKind };

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

export interface StartedJob {
  readonly videoId: string;
  readonly videoNum: number;
  readonly jobId: string;
  readonly attempt: number;
  /** The outcome stored for this same object version, when it was already fully processed. */
  readonly alreadyFinished: JobStatus | undefined;
}

export interface StoredMatch {
  readonly otherVideoId: string;
  readonly score: number;
  readonly kind: MatchKind;
  /** Seconds to add to a time in this video to find it in the other. */
  readonly offsetSec: number;
  readonly segment: readonly [number, number];
  readonly otherSegment: readonly [number, number];
}

/** A stored video as the matcher needs it. */
export interface ReferenceVideo {
  readonly videoId: string;
  readonly videoNum: number;
  readonly key: string;
  readonly durationSec: number;
  readonly signature: Uint8Array;
}

export interface IndexRow {
  readonly key: number;
  readonly videoNum: number;
  readonly sample: number;
}

/** A video's stored state, as the status endpoint needs it. Plain data. */
export interface VideoStatusRecord {
  readonly key: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly durationSec: number | null;
  readonly sceneCuts: number[];
  readonly duplicates: {
    file: string;
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

/** S3 quotes ETags in HEAD responses but not in event notifications. */
export function normaliseEtag(etag: string | undefined): string | null {
  return etag ? etag.replace(/"/g, "") : null;
}

/**
 * Persistence of videos, their jobs, cuts and matches. Writes that can race between
 * deliveries are single `INSERT … ON CONFLICT` statements keyed by bucket + key.
 */
export class VideoRepository {
  constructor(private readonly db: Db) {}

  /**
   * Creates or finds the video for an object and moves its job to `analyzing`. When the job
   * already finished for the same ETag (a redelivered event), it is left as it is and
   * `alreadyFinished` says so.
   */
  async startJob(ref: ObjectRef, etag: string | undefined, messageId: string): Promise<StartedJob> {
    const tag = normaliseEtag(etag);
    const [video] = await this.db.$queryRaw<{ id: string; num: number; etag: string | null }[]>`
      INSERT INTO video (id, bucket, key, etag, updated_at)
      VALUES (gen_random_uuid(), ${ref.bucket}, ${ref.key}, ${tag}, now())
      ON CONFLICT (bucket, key) DO UPDATE SET updated_at = now()
      RETURNING id, num, etag`;
    if (!video) throw new Error("video upsert returned no row");

    const [existing] = await this.db.$queryRaw<{ id: string; status: JobStatus; attempts: number }[]>`
      SELECT id, status, attempts FROM job WHERE video_id = ${video.id}::uuid`;
    const sameVersion = tag === null || video.etag === tag;
    if (existing && sameVersion && (existing.status === "done" || existing.status === "failed")) {
      return { videoId: video.id, videoNum: video.num, jobId: existing.id, attempt: existing.attempts, alreadyFinished: existing.status };
    }

    const [job] = await this.db.$queryRaw<{ id: string; attempts: number }[]>`
      INSERT INTO job (id, video_id, status, progress, attempts, message_id, started_at, updated_at)
      VALUES (gen_random_uuid(), ${video.id}::uuid, 'analyzing', 0, 1, ${messageId}, now(), now())
      ON CONFLICT (video_id) DO UPDATE SET
        status = 'analyzing', progress = 0, attempts = job.attempts + 1, message_id = EXCLUDED.message_id,
        error_code = NULL, error_message = NULL, started_at = now(), finished_at = NULL, updated_at = now()
      RETURNING id, attempts`;
    if (!job) throw new Error("job upsert returned no row");
    if (tag !== null && video.etag !== tag) {
      await this.db.video.update({ where: { id: video.id }, data: { etag: tag } });
    }
    return { videoId: video.id, videoNum: video.num, jobId: job.id, attempt: job.attempts, alreadyFinished: undefined };
  }

  async recordContent(videoId: string, sizeBytes: number, sha256: string): Promise<void> {
    await this.db.video.update({ where: { id: videoId }, data: { sizeBytes: BigInt(sizeBytes), sha256 } });
  }

  async recordMediaInfo(videoId: string, info: MediaInfo): Promise<void> {
    await this.db.video.update({
      where: { id: videoId },
      data: { durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps, codec: info.codec },
    });
  }

  async recordProgress(jobId: string, progress: number): Promise<void> {
    await this.db.job.updateMany({ where: { id: jobId, status: "analyzing" }, data: { progress } });
  }

  /**
   * Stores a complete fingerprint in one transaction: cuts, signature and index rows replace
   * whatever an earlier analysis of the same object left, so there is only ever one set.
   */
  async storeFingerprint(video: { id: string; num: number }, cuts: readonly SceneCut[], signature: Uint8Array, sampleRate: number, entries: readonly IndexEntry[]): Promise<void> {
    await this.db.$transaction([
      this.db.sceneCut.deleteMany({ where: { videoId: video.id } }),
      this.db.sceneCut.createMany({ data: cuts.map((cut, ordinal) => ({ videoId: video.id, ordinal, timeSec: cut.timeSec, score: cut.score })) }),
      this.db.video.update({ where: { id: video.id }, data: { signature: Uint8Array.from(signature), sampleRate } }),
      this.db.$executeRaw`DELETE FROM frame_index WHERE video_num = ${video.num}`,
      this.db.$executeRaw`
        INSERT INTO frame_index (key, video_num, sample)
        SELECT k, ${video.num}, s FROM unnest(${entries.map((e) => e.key)}::int4[], ${entries.map((e) => e.sample)}::int4[]) AS t(k, s)
        ON CONFLICT DO NOTHING`,
    ]);
  }

  /**
   * Index rows of other videos under the given keys. At most `perKeyLimit` rows a key: a key
   * found in very many videos (black frames, a common intro) says nothing, and this cap is
   * the stop-list that keeps such keys from flooding a lookup.
   */
  async lookupIndex(excludeVideoNum: number, keys: readonly number[], perKeyLimit: number): Promise<IndexRow[]> {
    if (keys.length === 0) return [];
    const rows = await this.db.$queryRaw<{ key: number; video_num: number; sample: number }[]>`
      SELECT q.key, f.video_num, f.sample
      FROM unnest(${[...keys]}::int4[]) AS q(key)
      CROSS JOIN LATERAL (
        SELECT video_num, sample FROM frame_index fi
        WHERE fi.key = q.key AND fi.video_num <> ${excludeVideoNum}
        LIMIT ${perKeyLimit}
      ) f`;
    return rows.map((r) => ({ key: r.key, videoNum: r.video_num, sample: r.sample }));
  }

  async loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]> {
    if (videoNums.length === 0) return [];
    const videos = await this.db.video.findMany({
      where: { num: { in: [...videoNums] }, signature: { not: null } },
      select: { id: true, num: true, key: true, durationSec: true, signature: true },
    });
    return videos.map((v) => ({ videoId: v.id, videoNum: v.num, key: v.key, durationSec: v.durationSec ?? 0, signature: v.signature ?? new Uint8Array() }));
  }

  /** A finished video with exactly these bytes, other than the given one. */
  async findIdenticalContent(sha256: string, excludeVideoId: string): Promise<{ videoId: string } | undefined> {
    const video = await this.db.video.findFirst({
      where: { sha256, id: { not: excludeVideoId }, job: { status: "done" } },
      orderBy: { createdAt: "asc" },
      select: { id: true },
    });
    return video ? { videoId: video.id } : undefined;
  }

  /** Copies an identical video's analysis instead of decoding the same bytes again. */
  async copyAnalysis(fromVideoId: string, toVideoId: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const source = await tx.video.findUniqueOrThrow({ where: { id: fromVideoId } });
      await tx.video.update({
        where: { id: toVideoId },
        data: {
          durationSec: source.durationSec,
          width: source.width,
          height: source.height,
          fps: source.fps,
          codec: source.codec,
          signature: source.signature,
          sampleRate: source.sampleRate,
        },
      });
      const target = await tx.video.findUniqueOrThrow({ where: { id: toVideoId }, select: { num: true } });
      await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${target.num}`;
      await tx.$executeRaw`
        INSERT INTO frame_index (key, video_num, sample)
        SELECT key, ${target.num}, sample FROM frame_index WHERE video_num = ${source.num}`;
      await tx.sceneCut.deleteMany({ where: { videoId: toVideoId } });
      await tx.$executeRaw`
        INSERT INTO scene_cut (video_id, ordinal, time_sec, score)
        SELECT ${toVideoId}::uuid, ordinal, time_sec, score FROM scene_cut WHERE video_id = ${fromVideoId}::uuid`;
    });
  }

  /** Stores each match in both directions, so either video's status lists the other. */
  async saveMatches(videoId: string, matches: readonly StoredMatch[]): Promise<void> {
    if (matches.length === 0) return;
    await this.db.$transaction(
      matches.flatMap((m) => [
        this.upsertMatch(videoId, m.otherVideoId, m.score, m.kind, m.offsetSec, m.segment, m.otherSegment),
        this.upsertMatch(m.otherVideoId, videoId, m.score, m.kind, -m.offsetSec, m.otherSegment, m.segment),
      ]),
    );
  }

  async finishJob(jobId: string): Promise<void> {
    await this.db.job.update({ where: { id: jobId }, data: { status: "done", progress: 1, finishedAt: new Date() } });
  }

  async failJob(jobId: string, code: ErrorCode, message: string): Promise<void> {
    await this.db.job.update({
      where: { id: jobId },
      data: { status: "failed", errorCode: code, errorMessage: message, finishedAt: new Date() },
    });
  }

  async findStatus(ref: ObjectRef): Promise<VideoStatusRecord | undefined> {
    const video = await this.db.video.findUnique({
      where: { bucket_key: { bucket: ref.bucket, key: ref.key } },
      include: {
        job: true,
        cuts: { orderBy: { ordinal: "asc" }, select: { timeSec: true } },
        matches: { orderBy: { score: "desc" }, include: { otherVideo: { select: { key: true } } } },
      },
    });
    if (!video) return undefined;
    const job = video.job;
    return {
      key: video.key,
      status: job?.status ?? "pending",
      progress: job?.progress ?? 0,
      durationSec: video.durationSec,
      sceneCuts: video.cuts.map((c) => c.timeSec),
      duplicates: video.matches.map((m) => ({
        file: m.otherVideo.key,
        score: m.score,
        kind: m.kind,
        offsetSec: m.offsetSec,
        segment: [m.segmentStart, m.segmentEnd],
        otherSegment: [m.otherStart, m.otherEnd],
      })),
      errorCode: job?.errorCode ?? null,
      errorMessage: job?.errorMessage ?? null,
      updatedAt: maxDate(video.updatedAt, job?.updatedAt),
    };
  }

  /** Removes matches (both directions) between a video and the given others. */
  async deleteMatches(videoId: string, otherVideoIds: readonly string[]): Promise<void> {
    if (otherVideoIds.length === 0) return;
    await this.db.match.deleteMany({
      where: {
        OR: [
          { videoId, otherVideoId: { in: [...otherVideoIds] } },
          { otherVideoId: videoId, videoId: { in: [...otherVideoIds] } },
        ],
      },
    });
  }

  private upsertMatch(videoId: string, otherVideoId: string, score: number, kind: MatchKind, offsetSec: number, segment: readonly [number, number], other: readonly [number, number]) {
    return this.db.$executeRaw`
      INSERT INTO match (video_id, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end)
      VALUES (${videoId}::uuid, ${otherVideoId}::uuid, ${score}, ${kind}::"MatchKind", ${offsetSec}, ${segment[0]}, ${segment[1]}, ${other[0]}, ${other[1]})
      ON CONFLICT (video_id, other_video_id) DO UPDATE SET
        score = EXCLUDED.score, kind = EXCLUDED.kind, offset_sec = EXCLUDED.offset_sec,
        segment_start = EXCLUDED.segment_start, segment_end = EXCLUDED.segment_end,
        other_start = EXCLUDED.other_start, other_end = EXCLUDED.other_end`;
  }
}

function maxDate(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}
