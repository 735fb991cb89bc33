import { afterAll, describe, expect, it } from "vitest";
import { SNAPSHOT_DUPLICATES, type DuplicatePosition, type StoredMatch } from "../../src/domain/match.js";
import { JobStore } from "../../src/store/job-store.js";
import type { LeasedJob } from "../../src/store/leased-job.js";
import { ObjectEraser } from "../../src/store/object-eraser.js";
import { StatusQueries, type DuplicateRecord } from "../../src/store/status-queries.js";
import { testDb } from "../helpers/stack.js";
import { uniqueName } from "../helpers/env.js";
import { nearDuplicateOf } from "../helpers/matches.js";

const db = testDb(8);
const jobs = new JobStore(db);
const statuses = new StatusQueries(db);
const BUCKET = uniqueName("groups");
const COPIES = 45;

afterAll(async () => {
  await db.video.deleteMany({ where: { bucket: BUCKET } });
  await db.$disconnect();
});

async function claim(key: string, etag = key): Promise<LeasedJob> {
  const result = await jobs.claim({ bucket: BUCKET, key, etag, order: undefined }, uniqueName("m"), 60_000);
  if (result.outcome !== "claimed") throw new Error(`expected a claim of ${key}, got ${result.outcome}`);
  return result.job;
}

async function analysed(key: string, matches: readonly StoredMatch[]): Promise<LeasedJob> {
  const job = await claim(key);
  await job.saveFinalMatches(matches);
  await job.finish();
  return job;
}

async function status(key: string) {
  const record = await statuses.findStatus({ bucket: BUCKET, key });
  if (!record) throw new Error(`no status for ${key}`);
  return record;
}

/** Every page of a video's duplicates, `limit` at a time. */
async function allPages(key: string, limit: number): Promise<{ entries: DuplicateRecord[]; pages: number; totals: Set<number> }> {
  const entries: DuplicateRecord[] = [];
  const totals = new Set<number>();
  let after: DuplicatePosition | undefined;
  let pages = 0;
  do {
    const page = await statuses.listDuplicates({ bucket: BUCKET, key }, after, limit);
    if (!page) throw new Error(`no page for ${key}`);
    entries.push(...page.duplicates);
    totals.add(page.total);
    pages += 1;
    after = page.next ?? undefined;
  } while (after);
  return { entries, pages, totals };
}

/** The fragment shares two more stretches with the original, at other alignments (one of them earlier in the original). */
const FRAGMENT_MORE = [
  { segment: [12, 20], otherSegment: [40, 48] },
  { segment: [25, 30], otherSegment: [5, 10] },
] as const;
/** The same, as the original (or a byte-identical copy of it) sees them: swapped, in its own time order. */
const FRAGMENT_MORE_THERE = [
  { segment: [5, 10], otherSegment: [25, 30] },
  { segment: [40, 48], otherSegment: [12, 20] },
];

describe("duplicate groups and paged duplicates (popular content), in PostgreSQL", () => {
  const copyKey = (i: number) => `copy-${String(i).padStart(3, "0")}.mp4`;
  // Distinct scores, some equal, so the order's tie-break on the other video is exercised too.
  const copyMatch = (originalId: string, i: number): StoredMatch => ({ ...nearDuplicateOf(originalId, 30), score: 0.8 + (i % 9) / 100 });

  it("gathers an original and its copies in one group, joined concurrently; the snapshot stays bounded", async () => {
    const original = await analysed("original.mp4", []);
    expect((await status("original.mp4")).group).toBeNull();
    // A video that shares only a fragment: a duplicate, not a group member.
    await analysed("fragment.mp4", [
      { ...nearDuplicateOf(original.videoId, 10), kind: "partial", score: 0.6, moreSegments: FRAGMENT_MORE },
    ]);

    // The first copy alone (it becomes the earliest member once the original is erased), then
    // the rest five at a time: concurrent joins must agree on one group.
    await analysed(copyKey(0), [copyMatch(original.videoId, 0)]);
    for (let i = 1; i < COPIES; i += 5) {
      const batch = Array.from({ length: Math.min(5, COPIES - i) }, (_, j) => i + j);
      await Promise.all(batch.map((n) => analysed(copyKey(n), [copyMatch(original.videoId, n)])));
    }

    const own = await status("original.mp4");
    expect(own.duplicateCount).toBe(COPIES + 1);
    expect(own.duplicates).toHaveLength(SNAPSHOT_DUPLICATES);
    expect(own.moreDuplicates).toEqual(own.duplicates.at(-1)?.position);
    expect(own.group).toMatchObject({ size: COPIES + 1, earliest: { bucket: BUCKET, key: "original.mp4" } });
    const groupId = own.group!.id;

    for (const i of [0, 17, COPIES - 1]) {
      const copy = await status(copyKey(i));
      expect(copy.group?.id).toBe(groupId);
      // Reported against the original only, not against the other copies.
      expect(copy.duplicates.map((d) => d.file)).toEqual(["original.mp4"]);
      expect(copy.moreDuplicates).toBeNull();
    }
    const fragment = await status("fragment.mp4");
    expect(fragment.group).toBeNull();
    // Further shared stretches are stored for both sides: swapped and in time order on the original's.
    expect(fragment.duplicates[0]!.moreSegments).toEqual(FRAGMENT_MORE);
    const onOriginal = (await allPages("original.mp4", 100)).entries.find((e) => e.file === "fragment.mp4");
    expect(onOriginal?.moreSegments).toEqual(FRAGMENT_MORE_THERE);
  });

  it("pages through every duplicate once, strongest first, with the snapshot's list as the first page", async () => {
    const own = await status("original.mp4");
    const { entries, pages, totals } = await allPages("original.mp4", 7);
    expect(entries).toHaveLength(COPIES + 1);
    expect(new Set(entries.map((e) => e.file)).size).toBe(COPIES + 1);
    expect(pages).toBe(Math.ceil((COPIES + 1) / 7));
    expect([...totals]).toEqual([COPIES + 1]);
    const order = entries.map((e) => e.position);
    const sorted = [...order].sort((a, b) => b.score - a.score || (a.otherVideoId < b.otherVideoId ? -1 : 1));
    expect(order).toEqual(sorted);
    expect(entries.slice(0, SNAPSHOT_DUPLICATES).map((e) => e.file)).toEqual(own.duplicates.map((d) => d.file));
    // The rest start where the snapshot ends.
    const rest = await statuses.listDuplicates({ bucket: BUCKET, key: "original.mp4" }, own.moreDuplicates!, 100);
    expect(rest?.duplicates.map((d) => d.file)).toEqual(entries.slice(SNAPSHOT_DUPLICATES).map((e) => e.file));
    expect(rest?.next).toBeNull();
    expect(await statuses.listDuplicates({ bucket: BUCKET, key: "never-seen.mp4" }, undefined, 10)).toBeUndefined();
  });

  it("a byte-identical copy joins the group and inherits the original's other duplicates, not its copies", async () => {
    const original = await status("original.mp4");
    const originalId = (await db.video.findFirstOrThrow({ where: { bucket: BUCKET, key: "original.mp4" } })).id;
    const identical = await claim("identical.mp4");
    await identical.copyAnalysis(originalId);
    await identical.saveFinalMatches([{ ...nearDuplicateOf(originalId, 30), kind: "identical", score: 1 }]);
    await identical.copyMatches(originalId);
    await identical.finish();

    const copy = await status("identical.mp4");
    expect(copy.group?.id).toBe(original.group?.id);
    expect(copy.duplicates.map((d) => [d.file, d.kind])).toEqual([
      ["original.mp4", "identical"],
      ["fragment.mp4", "partial"],
    ]);
    // The inherited match is stored for the other video too, mirrored.
    const fragment = await allPages("fragment.mp4", 50);
    expect(fragment.entries.map((e) => e.file).sort()).toEqual(["identical.mp4", "original.mp4"]);
    // With the further shared stretches, both ways.
    expect(copy.duplicates.find((d) => d.file === "fragment.mp4")?.moreSegments).toEqual(FRAGMENT_MORE_THERE);
    expect(fragment.entries.find((e) => e.file === "identical.mp4")?.moreSegments).toEqual(FRAGMENT_MORE);
    expect((await status("original.mp4")).group?.size).toBe(COPIES + 2);
  });

  it("keeps the group's id when its earliest member is erased; a new version of a key leaves it", async () => {
    const groupId = (await status("original.mp4")).group!.id;
    expect(await new ObjectEraser(db).erase({ bucket: BUCKET, key: "original.mp4" }, undefined, undefined)).toBe("erased");
    const first = await status(copyKey(0));
    expect(first.group).toEqual({ id: groupId, size: COPIES + 1, earliest: { bucket: BUCKET, key: copyKey(0) } });

    // Another version of one copy: other footage, until its own analysis says otherwise.
    const replaced = await claim(copyKey(5), "etag-of-the-new-version");
    const during = await status(copyKey(5));
    expect(during.group).toBeNull();
    expect(during.duplicateCount).toBe(0);
    await replaced.saveFinalMatches([]);
    await replaced.finish();
    expect((await status(copyKey(0))).group?.size).toBe(COPIES);
  });
});
