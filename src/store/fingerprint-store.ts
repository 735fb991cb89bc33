import { normaliseEtag } from "../domain/object-event.js";
import type { StoredFingerprint } from "../fingerprint/fingerprint-builder.js";
import type { IndexRow, ReferenceVideo, SignatureIndex } from "../match/signature-index.js";
import type { Db, Tx } from "./prisma.js";

/** A video row's identity: its id, and its number in the index. */
export interface VideoIds {
  readonly id: string;
  readonly num: number;
}

/**
 * Stored fingerprints: the matcher's index (frame_index, signatures) and the lookups of
 * byte-identical uploads. Writes happen inside a leased job's fenced transaction
 * (fingerprintRows); bulk imports go through FingerprintImporter.
 */
export class FingerprintStore implements SignatureIndex {
  constructor(private readonly db: Db) {}

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
    return videos.map((v) => ({
      videoId: v.id,
      videoNum: v.num,
      key: v.key,
      durationSec: v.durationSec ?? 0,
      signature: v.signature ?? new Uint8Array(),
    }));
  }

  /**
   * A finished video uploaded with the same bytes, known from S3's ETag and the size alone,
   * so without reading the object. An ETag is the MD5 of the bytes (single-part upload) or
   * of the parts' MD5s (multipart, "…-N"), so equal ETags and sizes mean equal bytes; the
   * same bytes uploaded with other part sizes have another ETag and are found by SHA-256
   * after the download instead.
   */
  async findIdenticalUpload(
    etag: string,
    sizeBytes: number,
    excludeVideoId: string,
  ): Promise<{ videoId: string; durationSec: number | null } | undefined> {
    return this.findFinishedVideo({ etag: normaliseEtag(etag), sizeBytes: BigInt(sizeBytes) }, excludeVideoId);
  }

  /** A finished video with exactly these bytes, other than the given one. */
  async findIdenticalContent(sha256: string, excludeVideoId: string): Promise<{ videoId: string; durationSec: number | null } | undefined> {
    return this.findFinishedVideo({ sha256 }, excludeVideoId);
  }

  /** The oldest finished video, other than the given one, whose row has these values. */
  private async findFinishedVideo(
    same: { etag?: string | null; sizeBytes?: bigint; sha256?: string },
    excludeVideoId: string,
  ): Promise<{ videoId: string; durationSec: number | null } | undefined> {
    const video = await this.db.video.findFirst({
      where: { ...same, id: { not: excludeVideoId }, job: { status: "done" } },
      orderBy: { createdAt: "asc" },
      select: { id: true, durationSec: true },
    });
    return video ? { videoId: video.id, durationSec: video.durationSec } : undefined;
  }
}

/** A video's fingerprint rows, written inside a caller's (fenced) transaction. */
export const fingerprintRows = {
  /** Cuts, signature and index rows replace whatever an earlier analysis of the same object left. */
  async store(tx: Tx, video: VideoIds, fingerprint: StoredFingerprint): Promise<void> {
    const { cuts, signature, sampleRate, entries } = fingerprint;
    await tx.sceneCut.deleteMany({ where: { videoId: video.id } });
    await tx.sceneCut.createMany({
      data: cuts.map((cut, ordinal) => ({ videoId: video.id, ordinal, timeSec: cut.timeSec, score: cut.score })),
    });
    await tx.video.update({ where: { id: video.id }, data: { signature: Uint8Array.from(signature), sampleRate } });
    // In B-tree order, which halves the cost. No ON CONFLICT (it doubles it): a video's rows
    // are unique, and its earlier ones are deleted first, under the lease's row lock.
    await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${video.num}`;
    await tx.$executeRaw`
      INSERT INTO frame_index (key, video_num, sample)
      SELECT k, ${video.num}, s FROM unnest(${entries.map((e) => e.key)}::int4[], ${entries.map((e) => e.sample)}::int4[]) AS t(k, s)
      ORDER BY k`;
  },

  /** Copies an identical video's analysis instead of decoding the same bytes again. */
  async copy(tx: Tx, fromVideoId: string, to: VideoIds): Promise<{ durationSec: number | null }> {
    const source = await tx.video.findUniqueOrThrow({ where: { id: fromVideoId } });
    await tx.video.update({
      where: { id: to.id },
      data: {
        durationSec: source.durationSec,
        width: source.width,
        height: source.height,
        fps: source.fps,
        codec: source.codec,
        formatName: source.formatName,
        signature: source.signature,
        sampleRate: source.sampleRate,
        // Known from the ETag, the bytes were never downloaded to hash them.
        sha256: source.sha256,
      },
    });
    await tx.$executeRaw`DELETE FROM frame_index WHERE video_num = ${to.num}`;
    await tx.$executeRaw`
      INSERT INTO frame_index (key, video_num, sample)
      SELECT key, ${to.num}, sample FROM frame_index WHERE video_num = ${source.num}`;
    await tx.sceneCut.deleteMany({ where: { videoId: to.id } });
    await tx.$executeRaw`
      INSERT INTO scene_cut (video_id, ordinal, time_sec, score)
      SELECT ${to.id}::uuid, ordinal, time_sec, score FROM scene_cut WHERE video_id = ${fromVideoId}::uuid`;
    return { durationSec: source.durationSec };
  },
};
