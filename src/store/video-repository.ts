import type { Db } from "./prisma.js";
import type { MediaInfo } from "../media/probe.js";
import type { SceneCut } from "../fingerprint/cut-detector.js";
import type { ErrorCode } from "../errors.js";
import type { JobStatus, MatchKind } from "../generated/prisma/enums.js";

export type { JobStatus, MatchKind };

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

export interface StartedJob {
  readonly videoId: string;
  readonly jobId: string;
  readonly attempt: number;
  /** The outcome stored for this same object version, when it was already fully processed. */
  readonly alreadyFinished: JobStatus | undefined;
}

export interface StoredMatch {
  readonly otherVideoId: string;
  readonly score: number;
  readonly kind: MatchKind;
  readonly offsetSec: number;
}

export interface ReferenceVideo {
  readonly videoId: string;
  readonly fps: number;
  readonly cutTimes: number[];
}

/** A video's stored state, as the status endpoint needs it. Plain data. */
export interface VideoStatusRecord {
  readonly key: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly durationSec: number | null;
  readonly sceneCuts: number[];
  readonly duplicates: { file: string; score: number; kind: MatchKind; offsetSec: number }[];
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
    const [video] = await this.db.$queryRaw<{ id: string; etag: string | null }[]>`
      INSERT INTO video (id, bucket, key, etag, updated_at)
      VALUES (gen_random_uuid(), ${ref.bucket}, ${ref.key}, ${tag}, now())
      ON CONFLICT (bucket, key) DO UPDATE SET updated_at = now()
      RETURNING id, etag`;
    if (!video) throw new Error("video upsert returned no row");

    const [existing] = await this.db.$queryRaw<{ id: string; status: JobStatus; attempts: number }[]>`
      SELECT id, status, attempts FROM job WHERE video_id = ${video.id}::uuid`;
    const sameVersion = tag === null || video.etag === tag;
    if (existing && sameVersion && (existing.status === "done" || existing.status === "failed")) {
      return { videoId: video.id, jobId: existing.id, attempt: existing.attempts, alreadyFinished: existing.status };
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
    return { videoId: video.id, jobId: job.id, attempt: job.attempts, alreadyFinished: undefined };
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

  /** Replaces the video's cuts in one transaction, so a re-analysis never leaves two sets. */
  async replaceCuts(videoId: string, cuts: readonly SceneCut[]): Promise<void> {
    await this.db.$transaction([
      this.db.sceneCut.deleteMany({ where: { videoId } }),
      this.db.sceneCut.createMany({
        data: cuts.map((cut, ordinal) => ({ videoId, ordinal, timeSec: cut.timeSec, score: cut.score })),
      }),
    ]);
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
        data: { durationSec: source.durationSec, width: source.width, height: source.height, fps: source.fps, codec: source.codec },
      });
      await tx.sceneCut.deleteMany({ where: { videoId: toVideoId } });
      await tx.$executeRaw`
        INSERT INTO scene_cut (video_id, ordinal, time_sec, score)
        SELECT ${toVideoId}::uuid, ordinal, time_sec, score FROM scene_cut WHERE video_id = ${fromVideoId}::uuid`;
    });
  }

  /**
   * Finished videos that share at least `minShared` cut times (within tolerance) with the
   * given video: the candidates worth comparing, found through the cut-time index.
   */
  async findCutCandidates(videoId: string, toleranceSec: number, minShared: number): Promise<ReferenceVideo[]> {
    const rows = await this.db.$queryRaw<{ video_id: string; fps: number | null; cut_times: number[] }[]>`
      WITH candidates AS (
        SELECT other.video_id
        FROM scene_cut mine
        JOIN scene_cut other
          ON other.time_sec BETWEEN mine.time_sec - ${toleranceSec} AND mine.time_sec + ${toleranceSec}
         AND other.video_id <> mine.video_id
        WHERE mine.video_id = ${videoId}::uuid
        GROUP BY other.video_id
        HAVING count(DISTINCT mine.ordinal) >= ${minShared}
      )
      SELECT c.video_id, v.fps,
             (SELECT array_agg(s.time_sec ORDER BY s.time_sec) FROM scene_cut s WHERE s.video_id = c.video_id) AS cut_times
      FROM candidates c
      JOIN video v ON v.id = c.video_id
      JOIN job j ON j.video_id = c.video_id AND j.status = 'done'`;
    return rows.map((r) => ({ videoId: r.video_id, fps: r.fps ?? 25, cutTimes: r.cut_times }));
  }

  /** Stores each match in both directions, so either video's status lists the other. */
  async saveMatches(videoId: string, matches: readonly StoredMatch[]): Promise<void> {
    if (matches.length === 0) return;
    await this.db.$transaction(
      matches.flatMap((m) => [
        this.upsertMatch(videoId, m.otherVideoId, m.score, m.kind, m.offsetSec),
        this.upsertMatch(m.otherVideoId, videoId, m.score, m.kind, -m.offsetSec),
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
      duplicates: video.matches.map((m) => ({ file: m.otherVideo.key, score: m.score, kind: m.kind, offsetSec: m.offsetSec })),
      errorCode: job?.errorCode ?? null,
      errorMessage: job?.errorMessage ?? null,
      updatedAt: maxDate(video.updatedAt, job?.updatedAt),
    };
  }

  private upsertMatch(videoId: string, otherVideoId: string, score: number, kind: MatchKind, offsetSec: number) {
    return this.db.$executeRaw`
      INSERT INTO match (video_id, other_video_id, score, kind, offset_sec)
      VALUES (${videoId}::uuid, ${otherVideoId}::uuid, ${score}, ${kind}::"MatchKind", ${offsetSec})
      ON CONFLICT (video_id, other_video_id) DO UPDATE SET score = EXCLUDED.score, kind = EXCLUDED.kind, offset_sec = EXCLUDED.offset_sec`;
  }
}

function maxDate(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}
