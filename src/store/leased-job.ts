import { LeaseLostError, type ErrorCode } from "../domain/errors.js";
import type { MediaInfo } from "../domain/media-info.js";
import { isWholeCopy, type StoredMatch } from "../domain/match.js";
import { normaliseEtag } from "../domain/object-event.js";
import type { ResultDestination } from "../domain/result-event.js";
import type { StoredFingerprint } from "../fingerprint/fingerprint-builder.js";
import { fingerprintRows } from "./fingerprint-store.js";
import { groupRows } from "./group-rows.js";
import { indexRows, type VideoIds } from "./index-rows.js";
import { matchRows } from "./match-store.js";
import { outboxRows } from "./result-outbox.js";
import { transaction, type Db, type Tx } from "./prisma.js";

/** What a claim hands over besides the lease itself. */
export interface LeaseGrant {
  readonly video: VideoIds;
  readonly jobId: string;
  /** The lease's fencing token: every write below presents it. */
  readonly token: string;
  readonly attempt: number;
  readonly tookOver: boolean;
}

/**
 * A job this worker holds. Every write goes through here and is fenced: it runs in a
 * transaction that first locks the job row and checks the lease is still this worker's, so
 * a worker whose job was taken over gets LeaseLostError instead of overwriting the new
 * holder's work. Only progress, which is advisory, is dropped silently when the lease is gone.
 */
export class LeasedJob {
  readonly videoId: string;
  readonly videoNum: number;
  readonly jobId: string;
  readonly attempt: number;
  readonly tookOver: boolean;

  /** `resultDestinations`: where the job's result events go (written to the outbox as it ends). */
  constructor(
    private readonly db: Db,
    private readonly grant: LeaseGrant,
    private readonly resultDestinations: readonly ResultDestination[] = [],
  ) {
    this.videoId = grant.video.id;
    this.videoNum = grant.video.num;
    this.jobId = grant.jobId;
    this.attempt = grant.attempt;
    this.tookOver = grant.tookOver;
  }

  /** Extends the lease; false when it is no longer this worker's. */
  async renew(leaseMs: number): Promise<boolean> {
    const renewed = await this.db.$executeRaw`
      UPDATE job SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ${this.jobId}::uuid AND lease_token = ${this.grant.token}::uuid AND status = 'analyzing'`;
    return renewed === 1;
  }

  /**
   * What HEAD says of the object: its size, and its ETag where the event carried none (the
   * event's ETag is kept: it is what tells a new version of the key from a redelivery).
   */
  async recordHead(sizeBytes: number, etag: string | undefined): Promise<void> {
    await this.write(
      (tx) => tx.$executeRaw`
      UPDATE video SET size_bytes = ${BigInt(sizeBytes)}, etag = COALESCE(etag, ${normaliseEtag(etag)}) WHERE id = ${this.videoId}::uuid`,
    );
  }

  async recordContent(sizeBytes: number, sha256: string): Promise<void> {
    await this.write((tx) => tx.video.update({ where: { id: this.videoId }, data: { sizeBytes: BigInt(sizeBytes), sha256 } }));
  }

  async recordMediaInfo(info: MediaInfo): Promise<void> {
    const { durationSec, width, height, fps, codec, formatName } = info;
    await this.write((tx) =>
      tx.video.update({ where: { id: this.videoId }, data: { durationSec, width, height, fps, codec, formatName } }),
    );
  }

  async recordProgress(progress: number): Promise<void> {
    // Only forward: the decode reports progress while the probe still runs, so their writes can arrive out of order.
    await this.db.job.updateMany({
      where: { id: this.jobId, leaseToken: this.grant.token, status: "analyzing", progress: { lt: progress } },
      data: { progress },
    });
  }

  /** Stores a complete fingerprint in one transaction; there is only ever one set per video. */
  async storeFingerprint(fingerprint: StoredFingerprint): Promise<void> {
    await this.write((tx) => fingerprintRows.store(tx, this.grant.video, fingerprint));
  }

  /** Copies a byte-identical video's analysis instead of decoding the same bytes again. */
  async copyAnalysis(fromVideoId: string): Promise<{ durationSec: number | null }> {
    return this.write((tx) => fingerprintRows.copy(tx, fromVideoId, this.grant.video));
  }

  async saveMatches(matches: readonly StoredMatch[]): Promise<void> {
    if (matches.length === 0) return;
    await this.write((tx) => matchRows.save(tx, this.videoId, matches));
  }

  /**
   * The final matches, after which a whole copy of an older video joins its duplicate group
   * (groupRows.join) and leaves the index to it (indexRows.leaveToOriginal). Returns whether
   * the video's footage stays indexed, and the group it joined.
   */
  async saveFinalMatches(matches: readonly StoredMatch[]): Promise<{ indexed: boolean; group: string | undefined }> {
    return this.write(async (tx) => {
      if (matches.length > 0) await matchRows.save(tx, this.videoId, matches);
      const originals = matches.filter((m) => isWholeCopy(m.kind)).map((m) => m.otherVideoId);
      const group = await groupRows.join(tx, this.grant.video, originals);
      return { indexed: !(await indexRows.leaveToOriginal(tx, this.grant.video, originals)), group };
    });
  }

  /** Gives this video the matches of a byte-identical original, but those with its group (see matchRows.copy). */
  async copyMatches(fromVideoId: string): Promise<void> {
    await this.write((tx) => matchRows.copy(tx, fromVideoId, this.videoId));
  }

  async deleteMatches(otherVideoIds: readonly string[]): Promise<void> {
    if (otherVideoIds.length === 0) return;
    await this.write((tx) => matchRows.delete(tx, this.videoId, otherVideoIds));
  }

  async finish(): Promise<void> {
    await this.end({ status: "done", progress: 1, finishedAt: new Date() });
  }

  async fail(code: ErrorCode, message: string): Promise<void> {
    await this.end({ status: "failed", errorCode: code, errorMessage: message, finishedAt: new Date() });
  }

  /** Gives the job back (`pending`) so that the message's next delivery starts it afresh. */
  async release(): Promise<boolean> {
    const released = await this.db.job.updateMany({
      where: { id: this.jobId, leaseToken: this.grant.token, status: "analyzing" },
      data: { status: "pending", progress: 0, leaseToken: null, leaseExpiresAt: null },
    });
    return released.count === 1;
  }

  /**
   * The terminal state and the events it causes, in one transaction: `analysis.done` or
   * `analysis.failed` for this video and, when done, `duplicates.added` for every finished
   * video it was found to share footage with.
   */
  private async end(data: {
    status: "done" | "failed";
    progress?: number;
    errorCode?: string;
    errorMessage?: string;
    finishedAt: Date;
  }): Promise<void> {
    await this.write(async (tx) => {
      await tx.job.update({ where: { id: this.jobId }, data: { ...data, leaseToken: null, leaseExpiresAt: null } });
      const destinations = this.resultDestinations;
      if (destinations.length === 0) return;
      const own = await outboxRows.add(tx, destinations, this.videoId, data.status === "done" ? "analysis.done" : "analysis.failed");
      if (data.status !== "done" || !own) return;
      const earlier = await tx.match.findMany({
        where: { videoId: this.videoId, otherVideo: { job: { status: "done" } } },
        select: { otherVideoId: true },
        orderBy: { otherVideoId: "asc" },
      });
      const video = { bucket: own.bucket, key: own.key };
      for (const { otherVideoId } of earlier) await outboxRows.add(tx, destinations, otherVideoId, "duplicates.added", video);
    });
  }

  /**
   * Runs `work` in a transaction that has checked the lease and holds the video and job rows.
   * They are locked in the order a claim locks them (video, then job): in the other order, a
   * write and a redelivery's claim of the same object deadlock. NO KEY UPDATE, because that is
   * all a write needs and it lets other transactions' foreign-key checks through: with FOR
   * UPDATE, two copies storing their matches to each other at once each waited for the other's
   * video row and deadlocked.
   */
  private write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return transaction(this.db, async (tx) => {
      const held = await tx.$queryRaw<{ id: string }[]>`
        SELECT j.id FROM video v JOIN job j ON j.video_id = v.id
        WHERE v.id = ${this.videoId}::uuid AND j.id = ${this.jobId}::uuid AND j.lease_token = ${this.grant.token}::uuid AND j.status = 'analyzing'
        FOR NO KEY UPDATE OF v, j`;
      if (held.length !== 1) throw new LeaseLostError(this.jobId);
      return work(tx);
    });
  }
}
