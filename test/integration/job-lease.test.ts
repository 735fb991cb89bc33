import { afterAll, describe, expect, it } from "vitest";
import { LeaseLostError } from "../../src/domain/errors.js";
import { JOB_TRANSITIONS, type Claim, type JobStatus } from "../../src/domain/job.js";
import { JobStore } from "../../src/store/job-store.js";
import type { LeasedJob } from "../../src/store/leased-job.js";
import { StatusQueries } from "../../src/store/status-queries.js";
import { testDb } from "../helpers/stack.js";
import { uniqueName } from "../helpers/env.js";
import { nearDuplicateOf } from "../helpers/matches.js";

const db = testDb(8);
const jobs = new JobStore(db);
const statuses = new StatusQueries(db);
const BUCKET = "lease-tests";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function claimed(claim: Claim<LeasedJob>): LeasedJob {
  if (claim.outcome !== "claimed") throw new Error(`expected a claim, got ${claim.outcome}`);
  return claim.job;
}

async function jobRow(videoId: string) {
  return db.job.findUniqueOrThrow({ where: { videoId } });
}

afterAll(async () => {
  await db.video.deleteMany({ where: { bucket: BUCKET } });
  await db.$disconnect();
});

describe("job leases and the state machine, in PostgreSQL", () => {
  it("the database trigger allows exactly the transitions of JOB_TRANSITIONS", async () => {
    const statuses: JobStatus[] = ["pending", "analyzing", "done", "failed"];
    const [video] = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO video (id, bucket, key, updated_at) VALUES (gen_random_uuid(), ${BUCKET}, ${uniqueName("sm")}, now()) RETURNING id`;
    for (const from of statuses) {
      for (const to of statuses) {
        if (from === to && from !== "analyzing") continue;
        // Put the job in `from` without the trigger (it is the trigger under test), then move it.
        await db.$transaction(async (tx) => {
          await tx.$executeRaw`SET LOCAL session_replication_role = replica`;
          await tx.$executeRaw`DELETE FROM job WHERE video_id = ${video!.id}::uuid`;
          await tx.$executeRaw`
            INSERT INTO job (id, video_id, status, message_id, lease_token, lease_expires_at, updated_at)
            VALUES (gen_random_uuid(), ${video!.id}::uuid, ${from}::"JobStatus", 'holder', gen_random_uuid(), now() + interval '1 hour', now())`;
        });
        // Another message and lease token: for analyzing → analyzing, a takeover of a live lease.
        const move = db.$executeRaw`
          UPDATE job SET status = ${to}::"JobStatus", message_id = 'another', lease_token = gen_random_uuid() WHERE video_id = ${video!.id}::uuid`;
        const allowed = JOB_TRANSITIONS[from].includes(to) && !(from === "analyzing" && to === "analyzing");
        if (allowed) await expect(move, `${from} → ${to}`).resolves.toBe(1);
        else await expect(move, `${from} → ${to}`).rejects.toThrow(/illegal transition|lease held/);
      }
    }
    await expect(
      db.$executeRaw`INSERT INTO job (id, video_id, status, updated_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'done', now())`,
    ).rejects.toThrow(/starts pending or analyzing/);
  });

  it("two concurrent deliveries of one object: exactly one claims the job, the other sees it held", async () => {
    const ref = { bucket: BUCKET, key: uniqueName("race") };
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => jobs.claim({ ...ref, etag: "etag-1", order: undefined }, `m${i}`, 60_000)),
    );
    expect(results.filter((r) => r.outcome === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "held-elsewhere")).toHaveLength(3);
    expect(await db.video.count({ where: ref })).toBe(1);
  });

  it("an expired lease is taken over; the old holder's writes are refused", async () => {
    const ref = { bucket: BUCKET, key: uniqueName("takeover") };
    const first = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 200));
    await sleep(400);
    const second = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m2", 60_000));
    expect(second.tookOver).toBe(true);
    expect(second.attempt).toBe(2);

    const stale = first;
    expect(await stale.renew(60_000)).toBe(false);
    await expect(
      stale.storeFingerprint({
        cuts: [],
        signature: new Uint8Array(8),
        sampleRate: 4,
        entries: [],
        audioPrint: null,
        stripSignature: null,
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.finish()).rejects.toBeInstanceOf(LeaseLostError);
    expect(await stale.release()).toBe(false);

    await second.finish();
    const row = await jobRow(second.videoId);
    expect(row).toMatchObject({ status: "done", attempts: 2, takeovers: 1, leaseToken: null });
    const status = await statuses.findStatus(ref);
    expect(status).toMatchObject({ status: "done", attempts: 2, takeovers: 1 });
  });

  it("the holder's own message coming back takes the job over at once, live lease or not", async () => {
    const ref = { bucket: BUCKET, key: uniqueName("comeback") };
    const first = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 60_000));
    expect(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m2", 60_000)).toMatchObject({ outcome: "held-elsewhere" });
    const again = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 60_000));
    expect(again.tookOver).toBe(true);
    await expect(first.finish()).rejects.toBeInstanceOf(LeaseLostError);
    await again.finish();
  });

  it("a released job is claimed again; a finished one is acknowledged unless a new version arrives", async () => {
    const ref = { bucket: BUCKET, key: uniqueName("release") };
    const first = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 60_000));
    expect(await first.release()).toBe(true);
    expect((await jobRow(first.videoId)).status).toBe("pending");

    const second = claimed(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 60_000));
    expect(second.tookOver).toBe(false);
    await second.fail("CORRUPT_MEDIA", "bad bytes");
    expect(await jobs.claim({ ...ref, etag: "etag-1", order: undefined }, "m1", 60_000)).toMatchObject({
      outcome: "already-finished",
      status: "failed",
    });

    const third = claimed(await jobs.claim({ ...ref, etag: "etag-2", order: undefined }, "m3", 60_000));
    expect(await jobs.claim({ ...ref, etag: "etag-3", order: undefined }, "m4", 60_000)).toMatchObject({ outcome: "wait" });
    await third.finish();
    expect(await jobRow(third.videoId)).toMatchObject({ status: "done", errorCode: null, attempts: 3 });
  });

  it("two copies saving each other as matches at the same moment never deadlock (fenced writes leave foreign-key checks alone)", async () => {
    const a = claimed(await jobs.claim({ bucket: BUCKET, key: uniqueName("pair-a"), etag: "e", order: undefined }, "ma", 60_000));
    const b = claimed(await jobs.claim({ bucket: BUCKET, key: uniqueName("pair-b"), etag: "e", order: undefined }, "mb", 60_000));
    const match = (otherVideoId: string) => nearDuplicateOf(otherVideoId, 10);
    for (let round = 0; round < 20; round += 1) {
      await Promise.all([a.saveMatches([match(b.videoId)]), b.saveMatches([match(a.videoId)])]);
    }
    expect(await db.match.count({ where: { videoId: { in: [a.videoId, b.videoId] } } })).toBe(2);
  });

  it("an event older than one already handled for the key is acknowledged as superseded", async () => {
    const ref = { bucket: BUCKET, key: uniqueName("order") };
    const newer = claimed(await jobs.claim({ ...ref, etag: "etag-2", order: "t:2026-11-23T10:00:02.000Z" }, "m2", 60_000));
    await newer.finish();
    expect(await jobs.claim({ ...ref, etag: "etag-1", order: "t:2026-11-23T10:00:01.000Z" }, "m1", 60_000)).toMatchObject({
      outcome: "superseded",
    });
    expect(await db.video.findFirstOrThrow({ where: ref })).toMatchObject({ etag: "etag-2", eventOrder: "t:2026-11-23T10:00:02.000Z" });
  });
});
