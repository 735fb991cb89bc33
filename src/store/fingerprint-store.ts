import { normaliseEtag } from "../domain/object-event.js";
import type { StoredFingerprint } from "../fingerprint/fingerprint-builder.js";
import { indexRows, type VideoIds } from "./index-rows.js";
import type { Db, Tx } from "./prisma.js";

/**
 * Stored fingerprints: the lookups of byte-identical uploads, and the writes of a video's
 * signature and index rows (the matcher reads them through FrameIndex). Writes happen inside a
 * leased job's fenced transaction (fingerprintRows); bulk imports go through FingerprintImporter.
 */
export class FingerprintStore {
  constructor(private readonly db: Db) {}

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
    const { cuts, signature, stripSignature, sampleRate, entries, audioPrint } = fingerprint;
    await tx.sceneCut.deleteMany({ where: { videoId: video.id } });
    await tx.sceneCut.createMany({
      data: cuts.map((cut, ordinal) => ({ videoId: video.id, ordinal, timeSec: cut.timeSec, score: cut.score })),
    });
    await tx.video.update({
      where: { id: video.id },
      data: {
        signature: Uint8Array.from(signature),
        stripSignature: stripSignature && Uint8Array.from(stripSignature),
        sampleRate,
        audioPrint: audioPrint && Uint8Array.from(audioPrint),
      },
    });
    await indexRows.replace(tx, video, entries);
  },

  /**
   * Copies an identical video's analysis instead of decoding the same bytes again. Not its
   * index rows: the same footage is indexed once (see indexRows).
   */
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
        stripSignature: source.stripSignature,
        sampleRate: source.sampleRate,
        audioPrint: source.audioPrint,
        // Known from the ETag, the bytes were never downloaded to hash them.
        sha256: source.sha256,
      },
    });
    await indexRows.remove(tx, to);
    await tx.sceneCut.deleteMany({ where: { videoId: to.id } });
    await tx.$executeRaw`
      INSERT INTO scene_cut (video_id, ordinal, time_sec, score)
      SELECT ${to.id}::uuid, ordinal, time_sec, score FROM scene_cut WHERE video_id = ${fromVideoId}::uuid`;
    return { durationSec: source.durationSec };
  },
};
