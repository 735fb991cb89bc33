import { decideClaim, type Claim, type JobStatus } from "../domain/job.js";
import { isOlderEvent, normaliseEtag, type ObjectEvent } from "../domain/object-event.js";
import type { ResultDestination } from "../domain/result-event.js";
import { groupRows } from "./group-rows.js";
import { LeasedJob } from "./leased-job.js";
import { matchRows } from "./match-store.js";
import { transaction, type Db } from "./prisma.js";

/**
 * Jobs and their leases. A delivery claims the job of its object; a successful claim hands
 * back a LeasedJob, the only way to write a job's results. Writes that can race between
 * deliveries are single `INSERT … ON CONFLICT` statements keyed by bucket + key.
 */
export class JobStore {
  /** `resultDestinations`: where finished jobs' result events go (none: no events are written). */
  constructor(
    private readonly db: Db,
    private readonly resultDestinations: readonly ResultDestination[] = [],
  ) {}

  /**
   * Creates or finds the video for an object and decides, under a row lock on its job, what
   * this delivery does (decideClaim). Claiming moves the job to `analyzing` with a fresh
   * lease of `leaseMs`; the database's clock decides whether an old lease has expired.
   */
  async claim(event: ObjectEvent, messageId: string, leaseMs: number): Promise<Claim<LeasedJob>> {
    const tag = normaliseEtag(event.etag);
    return transaction(this.db, async (tx) => {
      const [video] = await tx.$queryRaw<{ id: string; num: number; etag: string | null; event_order: string | null }[]>`
        INSERT INTO video (id, bucket, key, etag, event_order, updated_at)
        VALUES (gen_random_uuid(), ${event.bucket}, ${event.key}, ${tag}, ${event.order ?? null}, now())
        ON CONFLICT (bucket, key) DO UPDATE SET key = EXCLUDED.key -- a no-op that locks and returns the row; a delivery that changes nothing must not move updated_at
        RETURNING id, num, etag, event_order`;
      if (!video) throw new Error("video upsert returned no row");
      await tx.$executeRaw`
        INSERT INTO job (id, video_id, status, updated_at) VALUES (gen_random_uuid(), ${video.id}::uuid, 'pending', now())
        ON CONFLICT (video_id) DO NOTHING`;
      const [job] = await tx.$queryRaw<
        { id: string; status: JobStatus; lease_expires_at: Date | null; message_id: string | null; now: Date }[]
      >`
        SELECT id, status, lease_expires_at, message_id, now() AS now FROM job WHERE video_id = ${video.id}::uuid FOR UPDATE`;
      if (!job) throw new Error("job row missing after insert");

      const newVersion = tag !== null && video.etag !== tag;
      const superseded = isOlderEvent(event.order, video.event_order);
      const decision = decideClaim({ status: job.status, leaseExpiresAt: job.lease_expires_at, messageId: job.message_id }, job.now, {
        messageId,
        newVersion,
        superseded,
      });
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
      // A new version is other footage until its analysis says otherwise: what was found for
      // the old one (its duplicates, its group) no longer describes the key.
      if (newVersion) {
        await matchRows.deleteAll(tx, video.id);
        await groupRows.leave(tx, video.id);
      }
      const grant = {
        video: { id: video.id, num: video.num },
        jobId: job.id,
        token: claimed.lease_token,
        attempt: claimed.attempts,
        tookOver,
      };
      return { outcome: "claimed", job: new LeasedJob(this.db, grant, this.resultDestinations) };
    });
  }
}
