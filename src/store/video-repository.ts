import type { Db } from "./prisma.js";
import type { MediaInfo } from "../media/probe.js";
import type { SceneCut } from "../fingerprint/cut-detector.js";
import type { IndexEntry } from "../fingerprint/signature.js";
import { InspectorError, type ErrorCode } from "../errors.js";
import { decideClaim } from "../ingest/job-state.js";
import { isOlderEvent } from "../queue/s3-event.js";
import type { JobStatus, MatchKind } from "../generated/prisma/enums.js";

export type { JobStatus, MatchKind };

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** One object-created event, as the job bookkeeping needs it. */
export interface ObjectEvent extends ObjectRef {
  readonly etag: string | undefined;
  /** Its place among the key's events (eventOrder in src/queue/s3-event.ts). */
  readonly order: string | undefined;
}

/** A worker's hold on a job: every write it makes presents the token (a fencing token). */
export interface JobLease {
  readonly jobId: string;
  readonly token: string;
}

/** What a delivery found and did (see decideClaim in src/ingest/job-state.ts). */
export type StartedJob =
  | { readonly outcome: "claimed"; readonly videoId: string; readonly videoNum: number; readonly lease: JobLease; readonly attempt: number; readonly tookOver: boolean }
  | { readonly outcome: "superseded"; readonly videoId: string; readonly jobId: string }
  | { readonly outcome: "already-finished"; readonly videoId: string; readonly jobId: string; readonly status: "done" | "failed" }
  | { readonly outcome: "held-elsewhere"; readonly videoId: string; readonly jobId: string }
  | { readonly outcome: "wait"; readonly videoId: string; readonly jobId: string; readonly retryAfterMs: number };

/** A fenced write found that the job is no longer this worker's (its lease was taken over). */
export class LeaseLostError extends InspectorError {
  constructor(jobId: string) {
    super("LEASE_LOST", `Job ${jobId} was taken over by another worker after its lease expired.`);
  }
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
  /** How many times a worker started the job, and how many of those took over a dead one's. */
  readonly attempts: number;
  readonly takeovers: number;
  readonly durationSec: number | null;
  readonly sceneCuts: number[];
  readonly duplicates: {
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

export interface RecentVideo {
  readonly key: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly durationSec: number | null;
  readonly duplicates: number;
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
   * Creates or finds the video for an object and decides, under a row lock on its job, what
   * this delivery does (decideClaim). Claiming moves the job to `analyzing` with a fresh
   * lease of `leaseMs`; the database's clock decides whether an old lease has expired.
   */
  async startJob(event: ObjectEvent, messageId: string, leaseMs: number): Promise<StartedJob> {
    const tag = normaliseEtag(event.etag);
    return this.db.$transaction(async (tx) => {
      const [video] = await tx.$queryRaw<{ id: string; num: number; etag: string | null; event_order: string | null }[]>`
        INSERT INTO video (id, bucket, key, etag, event_order, updated_at)
        VALUES (gen_random_uuid(), ${event.bucket}, ${event.key}, ${tag}, ${event.order ?? null}, now())
        ON CONFLICT (bucket, key) DO UPDATE SET key = EXCLUDED.key -- a no-op that locks and returns the row; a delivery that changes nothing must not move updated_at
        RETURNING id, num, etag, event_order`;
      if (!video) throw new Error("video upsert returned no row");
      await tx.$executeRaw`
        INSERT INTO job (id, video_id, status, updated_at) VALUES (gen_random_uuid(), ${video.id}::uuid, 'pending', now())
        ON CONFLICT (video_id) DO NOTHING`;
      const [job] = await tx.$queryRaw<{ id: string; status: JobStatus; lease_expires_at: Date | null; message_id: string | null; now: Date }[]>`
        SELECT id, status, lease_expires_at, message_id, now() AS now FROM job WHERE video_id = ${video.id}::uuid FOR UPDATE`;
      if (!job) throw new Error("job row missing after insert");

      const newVersion = tag !== null && video.etag !== tag;
      const superseded = isOlderEvent(event.order, video.event_order);
      const decision = decideClaim({ status: job.status, leaseExpiresAt: job.lease_expires_at, messageId: job.message_id }, job.now, { messageId, newVersion, superseded });
      const seen = { videoId: video.id, jobId: job.id };
      switch (decision.action) {
        case "superseded":
          return { outcome: "superseded", ...seen };
        case "already-finished":
          return { outcome: "already-finished", ...seen, status: decision.status };
        case "held-elsewhere":
          return { outcome: "held-elsewhere", ...seen };
        case "wait":
          return { outcome: "wait", ...seen, retryAfterMs: decision.retryAfterMs };
      }
      const tookOver = decision.action === "take-over";
      const [claimed] = await tx.$queryRaw<{ lease_token: string; attempts: number }[]>`
        UPDATE job SET status = 'analyzing', progress = 0, attempts = attempts + 1,
          takeovers = takeovers + ${tookOver ? 1 : 0}, message_id = ${messageId},
          lease_token = gen_random_uuid(), lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
          error_code = NULL, error_message = NULL, started_at = now(), finished_at = NULL, updated_at = now()
        WHERE id = ${job.id}::uuid
        RETURNING lease_token, attempts`;
      if (!claimed) throw new Error("job claim returned no row");
      if (newVersion || (event.order && event.order !== video.event_order)) {
        await tx.$executeRaw`UPDATE video SET etag = ${tag ?? video.etag}, event_order = ${event.order ?? video.event_order}, updated_at = now() WHERE id = ${video.id}::uuid`;
      }
      return {
        outcome: "claimed",
        videoId: video.id,
        videoNum: video.num,
        lease: { jobId: job.id, token: claimed.lease_token },
        attempt: claimed.attempts,
        tookOver,
      };
    });
  }

  /** Extends a held lease; false when it is no longer this worker's. */
  async renewLease(lease: JobLease, leaseMs: number): Promise<boolean> {
    const renewed = await this.db.$executeRaw`
      UPDATE job SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ${lease.jobId}::uuid AND lease_token = ${lease.token}::uuid AND status = 'analyzing'`;
    return renewed === 1;
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

  async recordProgress(lease: JobLease, progress: number): Promise<void> {
    await this.db.job.updateMany({ where: { id: lease.jobId, leaseToken: lease.token, status: "analyzing" }, data: { progress } });
  }

  /**
   * Stores a complete fingerprint in one transaction: cuts, signature and index rows replace
   * whatever an earlier analysis of the same object left, so there is only ever one set.
   */
  async storeFingerprint(lease: JobLease, video: { id: string; num: number }, cuts: readonly SceneCut[], signature: Uint8Array, sampleRate: number, entries: readonly IndexEntry[]): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await holdLease(tx, lease);
      await tx.sceneCut.deleteMany({ where: { videoId: video.id } });
      await tx.sceneCut.createMany({ data: cuts.map((cut, ordinal) => ({ videoId: video.id, ordinal, timeSec: cut.timeSec, score: cut.score })) });
      await tx.video.update({ where: { id: video.id }, data: { signature: Uint8Array.from(signature), sampleRate } });
      // In B-tree order, which halves the cost. No ON CONFLICT (it doubles it): a video's rows
      // are unique, and its earlier ones are deleted first, under the lease's row lock.
      await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${video.num}`;
      await tx.$executeRaw`
        INSERT INTO frame_index (key, video_num, sample)
        SELECT k, ${video.num}, s FROM unnest(${entries.map((e) => e.key)}::int4[], ${entries.map((e) => e.sample)}::int4[]) AS t(k, s)
        ORDER BY k`;
    });
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

  /**
   * What HEAD says of the object: its size, and its ETag where the event carried none (the
   * event's ETag is kept: it is what tells a new version of the key from a redelivery).
   */
  async recordHead(videoId: string, sizeBytes: number, etag: string | undefined): Promise<void> {
    await this.db.$executeRaw`
      UPDATE video SET size_bytes = ${BigInt(sizeBytes)}, etag = COALESCE(etag, ${normaliseEtag(etag)}) WHERE id = ${videoId}::uuid`;
  }

  /**
   * A finished video uploaded with the same bytes, known from S3's ETag and the size alone,
   * so without reading the object. An ETag is the MD5 of the bytes (single-part upload) or
   * of the parts' MD5s (multipart, "…-N"), so equal ETags and sizes mean equal bytes; the
   * same bytes uploaded with other part sizes have another ETag and are found by SHA-256
   * after the download instead.
   */
  async findIdenticalUpload(etag: string, sizeBytes: number, excludeVideoId: string): Promise<{ videoId: string } | undefined> {
    return this.findFinishedVideo({ etag: normaliseEtag(etag), sizeBytes: BigInt(sizeBytes) }, excludeVideoId);
  }

  /** A finished video with exactly these bytes, other than the given one. */
  async findIdenticalContent(sha256: string, excludeVideoId: string): Promise<{ videoId: string } | undefined> {
    return this.findFinishedVideo({ sha256 }, excludeVideoId);
  }

  /** The oldest finished video, other than the given one, whose row has these values. */
  private async findFinishedVideo(same: { etag?: string | null; sizeBytes?: bigint; sha256?: string }, excludeVideoId: string): Promise<{ videoId: string } | undefined> {
    const video = await this.db.video.findFirst({
      where: { ...same, id: { not: excludeVideoId }, job: { status: "done" } },
      orderBy: { createdAt: "asc" },
      select: { id: true },
    });
    return video ? { videoId: video.id } : undefined;
  }

  /** Copies an identical video's analysis instead of decoding the same bytes again. */
  async copyAnalysis(lease: JobLease, fromVideoId: string, toVideoId: string): Promise<{ durationSec: number | null }> {
    return this.db.$transaction(async (tx) => {
      await holdLease(tx, lease);
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
          // Known from the ETag, the bytes were never downloaded to hash them.
          sha256: source.sha256,
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
      return { durationSec: source.durationSec };
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

  /**
   * Gives a byte-identical copy the matches of its original, in both directions: the same
   * footage has the same duplicates, offsets and segments. The pair itself is left out, and
   * a match the copy already has is kept.
   */
  async copyMatches(fromVideoId: string, toVideoId: string): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO match (video_id, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end)
      SELECT ${toVideoId}::uuid, other_video_id, score, kind, offset_sec, segment_start, segment_end, other_start, other_end
      FROM match WHERE video_id = ${fromVideoId}::uuid AND other_video_id <> ${toVideoId}::uuid
      UNION ALL
      SELECT video_id, ${toVideoId}::uuid, score, kind, offset_sec, segment_start, segment_end, other_start, other_end
      FROM match WHERE other_video_id = ${fromVideoId}::uuid AND video_id <> ${toVideoId}::uuid
      ON CONFLICT (video_id, other_video_id) DO NOTHING`;
  }

  async finishJob(lease: JobLease): Promise<void> {
    await this.endLease(lease, { status: "done", progress: 1, finishedAt: new Date() });
  }

  async failJob(lease: JobLease, code: ErrorCode, message: string): Promise<void> {
    await this.endLease(lease, { status: "failed", errorCode: code, errorMessage: message, finishedAt: new Date() });
  }

  /** Gives the job back (`pending`) so that the message's next delivery starts it afresh. */
  async releaseJob(lease: JobLease): Promise<boolean> {
    const released = await this.db.job.updateMany({
      where: { id: lease.jobId, leaseToken: lease.token, status: "analyzing" },
      data: { status: "pending", progress: 0, leaseToken: null, leaseExpiresAt: null },
    });
    return released.count === 1;
  }

  private async endLease(lease: JobLease, data: { status: "done" | "failed"; progress?: number; errorCode?: string; errorMessage?: string; finishedAt: Date }): Promise<void> {
    const ended = await this.db.job.updateMany({
      where: { id: lease.jobId, leaseToken: lease.token, status: "analyzing" },
      data: { ...data, leaseToken: null, leaseExpiresAt: null },
    });
    if (ended.count !== 1) throw new LeaseLostError(lease.jobId);
  }

  async countJobsByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.job.groupBy({ by: ["status"], _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  }

  /** The most recently updated videos with their job state, for the overview page. */
  async listRecent(bucket: string, limit: number): Promise<RecentVideo[]> {
    const videos = await this.db.video.findMany({
      where: { bucket },
      orderBy: { updatedAt: "desc" },
      take: limit,
      select: { key: true, updatedAt: true, durationSec: true, job: { select: { status: true, progress: true, updatedAt: true } }, _count: { select: { matches: true } } },
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

  async findStatus(ref: ObjectRef): Promise<VideoStatusRecord | undefined> {
    const video = await this.db.video.findUnique({
      where: { bucket_key: { bucket: ref.bucket, key: ref.key } },
      include: {
        job: true,
        cuts: { orderBy: { ordinal: "asc" }, select: { timeSec: true } },
        matches: { orderBy: { score: "desc" }, include: { otherVideo: { select: { key: true, durationSec: true } } } },
      },
    });
    if (!video) return undefined;
    const job = video.job;
    return {
      key: video.key,
      status: job?.status ?? "pending",
      progress: job?.progress ?? 0,
      attempts: job?.attempts ?? 0,
      takeovers: job?.takeovers ?? 0,
      durationSec: video.durationSec,
      sceneCuts: video.cuts.map((c) => c.timeSec),
      duplicates: video.matches.map((m) => ({
        file: m.otherVideo.key,
        otherDurationSec: m.otherVideo.durationSec,
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

/** Locks the job row and checks the lease is still ours, inside a writing transaction. */
async function holdLease(tx: Pick<Db, "$queryRaw">, lease: JobLease): Promise<void> {
  const held = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM job WHERE id = ${lease.jobId}::uuid AND lease_token = ${lease.token}::uuid AND status = 'analyzing' FOR UPDATE`;
  if (held.length !== 1) throw new LeaseLostError(lease.jobId);
}

function maxDate(a: Date, b: Date | undefined): Date {
  return b && b > a ? b : a;
}
