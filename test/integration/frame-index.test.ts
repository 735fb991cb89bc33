import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { voteOffsets, type VotingRule } from "../../src/fingerprint/voting.js";
import { indexEntries, oneBitNeighbours, SAMPLE_RATE, type Signature } from "../../src/fingerprint/signature.js";
import { CROP_SHIFTS, cropOfStrip } from "../../src/fingerprint/centre-strip.js";
import { soundtrackIndexEntries, stripIndexEntries } from "../../src/fingerprint/stored-rows.js";
import { AUDIO_ITEM_SEC, type AudioPrint } from "../../src/fingerprint/audio-print.js";
import { FrameIndex } from "../../src/store/frame-index.js";
import { STOP_LIST_MAX_AGE_MS } from "../../src/store/stop-list.js";
import { findDuplicates } from "../../src/match/find-duplicates.js";
import { JobStore } from "../../src/store/job-store.js";
import type { LeasedJob } from "../../src/store/leased-job.js";
import { ObjectEraser } from "../../src/store/object-eraser.js";
import { storedFingerprint } from "../../src/fingerprint/fingerprint-builder.js";
import { mulberry32 } from "../../scripts/bench/random-scenes.js";
import { coarseBitsMoved, reencoded, syntheticSignature } from "../../scripts/bench/synthetic.js";
import { testDb } from "../helpers/stack.js";
import { requireEnv, uniqueName } from "../helpers/env.js";
import { nearDuplicateOf } from "../helpers/matches.js";
import { createDb, type Db } from "../../src/store/prisma.js";

const run = promisify(execFile);
const BUCKET = uniqueName("frame-index");
/** Video numbers no video row has (frame_index has no foreign key): this file's rows alone. */
const FIRST_NUM = 1_900_000_000 + Math.floor(Math.random() * 100_000_000);
const rng = mulberry32(FIRST_NUM);
const randomKey = (): number => Math.floor(rng() * 2 ** 32) | 0;
const keysUsed = new Set<number>();

/**
 * The same cases on the index as migrated and on the hash-partitioned layout an operator
 * creates with prisma/sql/partition-frame-index.sql (in a private database).
 */
describe.each([
  { layout: "as migrated", partitions: 0 },
  { layout: "hash-partitioned by key", partitions: 4 },
])("the index in PostgreSQL (FrameIndex), $layout", ({ partitions }) => {
  const base = requireEnv("TEST_DATABASE_URL").replace(/\/[^/]+$/, "");
  const privateDb = uniqueName("partitioned").replace(/-/g, "_");
  let db: Db;
  let index: FrameIndex;

  beforeAll(async () => {
    if (partitions === 0) db = testDb(4);
    else {
      await run("psql", [`${base}/postgres`, "-qc", `CREATE DATABASE "${privateDb}"`]);
      const url = `${base}/${privateDb}`;
      await run("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url } });
      await run("psql", [
        url,
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-v",
        `partitions=${partitions}`,
        "-f",
        "prisma/sql/partition-frame-index.sql",
      ]);
      db = createDb({ url, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 30_000 });
    }
    index = new FrameIndex(db);
  }, 60_000);

  afterAll(async () => {
    await db.$executeRaw`DELETE FROM frame_index WHERE video_num >= ${FIRST_NUM} AND video_num < ${FIRST_NUM + 1000}`;
    await db.$executeRaw`DELETE FROM index_stop_key WHERE key = ANY(${[...keysUsed]}::int4[])`;
    await db.video.deleteMany({ where: { bucket: BUCKET } });
    await db.$disconnect();
    if (partitions > 0) await run("psql", [`${base}/postgres`, "-qc", `DROP DATABASE IF EXISTS "${privateDb}" WITH (FORCE)`]);
  });

  async function insertRows(rows: readonly { key: number; videoNum: number; sample: number }[]): Promise<void> {
    for (const row of rows) keysUsed.add(row.key);
    await db.$executeRaw`
      INSERT INTO frame_index (key, video_num, sample)
      SELECT * FROM unnest(${rows.map((r) => r.key)}::int4[], ${rows.map((r) => r.videoNum)}::int4[], ${rows.map((r) => r.sample)}::int4[])`;
  }

  if (partitions > 0)
    it("has the layout: one partition per hash of the key, and a lookup by key reads one of them", async () => {
      const [{ count }] = (await db.$queryRaw<{ count: bigint }[]>`
        SELECT count(*) FROM pg_inherits WHERE inhparent = 'frame_index'::regclass`) as [{ count: bigint }];
      expect(Number(count)).toBe(partitions);
      const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>("EXPLAIN SELECT * FROM frame_index WHERE key = 42");
      expect(plan.filter((line) => /frame_index_p\d+/.test(line["QUERY PLAN"]))).toHaveLength(1);
    });

  it("finds what voteOffsets finds over every row under the probed keys (the first cut in the database), and reports the keys over the stop-list limit", async () => {
    const rule: VotingRule = { binSamples: 2, minVotes: 2, stopAt: 6 };
    // 200 keys, some in many videos; 40 videos of 60 rows each, a few of them sharing runs of keys.
    // Drawn from a fixed seed: every run votes over the same rows, with more than 5 candidates in each set.
    const draw = mulberry32(20261130);
    const pool = Array.from({ length: 200 }, () => Math.floor(draw() * 2 ** 32) | 0);
    const pick = () => pool[Math.floor(draw() ** 2 * pool.length)]!;
    const rows = Array.from({ length: 40 }, (_, v) =>
      Array.from({ length: 60 }, (_, i) => ({ key: pick(), videoNum: FIRST_NUM + v, sample: i * 4 + (v % 3) })),
    ).flat();
    await insertRows(rows);
    const probes = Array.from({ length: 400 }, (_, i) => ({ key: pick(), sample: Math.floor(i / 2) }));
    // Three sets in one search, voted apart: probes with their one-bit neighbours (a
    // picture's), exact probes alone (the mirror image's), and a second set with neighbours
    // (a region's) whose keys overlap the first's.
    const exactProbes = Array.from({ length: 300 }, (_, i) => ({ key: pick(), sample: Math.floor(i / 2) }));
    const regionProbes = [...probes.slice(0, 150), ...Array.from({ length: 150 }, (_, i) => ({ key: pick(), sample: 75 + i }))];
    const sets = [
      { probes, neighbours: true },
      { probes: exactProbes, neighbours: false },
      { probes: regionProbes, neighbours: true },
    ];
    const query = { excludeVideoNum: FIRST_NUM + 3, sets, rule, maxCandidates: 1000 };

    const search = await index.findCandidates(query);

    // The rule over every row under the probed keys, read plainly.
    const expand = (set: typeof probes) => set.flatMap((p) => oneBitNeighbours(p.key).map((key) => ({ key, sample: p.sample })));
    const expanded = expand(probes);
    const keys = [...new Set([...expanded, ...exactProbes, ...expand(regionProbes)].map((p) => p.key))];
    const stored = await db.$queryRaw<{ key: number; video_num: number; sample: number }[]>`
      SELECT key, video_num, sample FROM frame_index WHERE key = ANY(${keys}::int4[])`;
    const keyRows = new Map<number, number>();
    for (const r of stored) keyRows.set(r.key, (keyRows.get(r.key) ?? 0) + 1);
    const votedOver = (lookups: readonly { key: number; sample: number }[]) =>
      voteOffsets(
        lookups.flatMap((p) =>
          stored
            .filter((r) => r.key === p.key && r.video_num !== query.excludeVideoNum)
            .map((r) => ({ videoNum: r.video_num, refSample: r.sample, querySample: p.sample, keyRows: keyRows.get(r.key)! })),
        ),
        rule,
      );
    const byVideo = (c: { videoNum: number }) => c.videoNum;
    const expectedSets = [votedOver(expanded), votedOver(exactProbes), votedOver(expand(regionProbes))];
    expect(search.candidates).toHaveLength(3);
    for (const [set, expected] of expectedSets.entries()) {
      const found = search.candidates[set]!;
      expect(expected.length).toBeGreaterThan(5);
      expect(found.map(byVideo).sort()).toEqual(expected.map(byVideo).sort());
      for (const candidate of expected) {
        const same = found.find((c) => c.videoNum === candidate.videoNum)!;
        expect({ ...same, score: 0 }).toEqual({ ...candidate, score: 0 });
        expect(same.score).toBeCloseTo(candidate.score, 9);
      }
    }
    expect(search.frequentKeys.sort()).toEqual(keys.filter((k) => keyRows.get(k)! > rule.stopAt).sort());
    expect(search.frequentKeys.length).toBeGreaterThan(0);
    expect(search.rowsRead).toBe(stored.length);
    const firstThree = await index.findCandidates({ ...query, maxCandidates: 3 });
    expect(firstThree.candidates).toEqual(search.candidates.map((set) => set.slice(0, 3)));
  });

  it("keeps the stop-list: a key found over the limit is recorded and never read again; a rebuild finds it too", async () => {
    const rule: VotingRule = { binSamples: 2, minVotes: 2, stopAt: 50 };
    const common = randomKey();
    const rare = randomKey();
    await insertRows([
      ...Array.from({ length: 60 }, (_, v) => ({ key: common, videoNum: FIRST_NUM + 100 + v, sample: 8 })),
      { key: rare, videoNum: FIRST_NUM + 100, sample: 12 },
    ]);
    const query = {
      excludeVideoNum: -1,
      sets: [{ probes: [common, rare].map((key) => ({ key, sample: 0 })), neighbours: true }],
      rule,
      maxCandidates: 20,
    };
    const stopped = async () => (await db.indexStopKey.findMany({ where: { key: { in: [common, rare] } } })).map((s) => s.key);

    expect(await index.findCandidates(query)).toMatchObject({ frequentKeys: [common], rowsRead: 61 });
    expect(await stopped()).toEqual([common]);
    expect(await index.findCandidates(query)).toMatchObject({ frequentKeys: [], rowsRead: 1 });

    await db.indexStopKey.deleteMany({ where: { key: common } });
    expect(await index.rebuildStopList(rule.stopAt)).toBeGreaterThan(0);
    expect(await stopped()).toEqual([common]);
  });

  it("keeps a copy of the stop-list in each process, read again once it is STOP_LIST_MAX_AGE_MS old", async () => {
    const rule: VotingRule = { binSamples: 2, minVotes: 2, stopAt: 50 };
    const key = randomKey();
    await insertRows(Array.from({ length: 60 }, (_, v) => ({ key, videoNum: FIRST_NUM + 200 + v, sample: 4 })));
    const query = { excludeVideoNum: -1, sets: [{ probes: [{ key, sample: 0 }], neighbours: true }], rule, maxCandidates: 20 };
    let now = 0;
    const replica = new FrameIndex(db, () => now);
    expect(await index.findCandidates(query)).toMatchObject({ frequentKeys: [key] });
    // The other replica reads the list, key included, on its first search.
    expect(await replica.findCandidates(query)).toMatchObject({ rowsRead: 0 });

    // Erasures leave the key rare again and a rebuild drops it: the replica's copy skips it
    // until it is read again, and then its rows are read (too few of any video to vote).
    await db.$executeRaw`DELETE FROM frame_index WHERE key = ${key} AND video_num >= ${FIRST_NUM + 205}`;
    await index.rebuildStopList(rule.stopAt);
    now = STOP_LIST_MAX_AGE_MS - 1;
    expect(await replica.findCandidates(query)).toMatchObject({ rowsRead: 0 });
    now = STOP_LIST_MAX_AGE_MS;
    expect(await replica.findCandidates(query)).toMatchObject({ rowsRead: 5, candidates: [[]], frequentKeys: [] });
  });

  it("indexes footage once: a whole copy leaves the index to its original, and takes over when the original is erased, centre strip and soundtrack included", async () => {
    const jobs = new JobStore(db);
    const claim = async (key: string): Promise<LeasedJob> => {
      const result = await jobs.claim({ bucket: BUCKET, key, etag: key, order: undefined }, uniqueName("m"), 60_000);
      if (result.outcome !== "claimed") throw new Error(result.outcome);
      return result.job;
    };
    const indexRowsOf = async (num: number) => db.frameIndex.count({ where: { videoNum: num } });
    const source: Signature = syntheticSignature(rng, 90);
    const strip: Signature = syntheticSignature(rng, 90);
    const sound: AudioPrint = Uint32Array.from({ length: Math.round(90 / AUDIO_ITEM_SEC) }, () => Math.floor(rng() * 2 ** 32) >>> 0);
    const rowsOf = (signature: Signature, centre: Signature) =>
      indexEntries(signature).length + stripIndexEntries(centre).length + soundtrackIndexEntries(sound).length;

    const original = await claim("original.mp4");
    await original.storeFingerprint(storedFingerprint([], source, sound, strip));
    expect(await original.saveFinalMatches([])).toEqual({ indexed: true, group: undefined });
    await original.finish();
    const copy = await claim("copy.mp4");
    const copySignature = reencoded(rng, source);
    const copyStrip = reencoded(rng, strip);
    await copy.storeFingerprint(storedFingerprint([], copySignature, sound, copyStrip));
    const saved = await copy.saveFinalMatches([nearDuplicateOf(original.videoId, 90)]);
    expect(saved.indexed).toBe(false);
    expect(saved.group).toMatch(/^[0-9a-f-]{36}$/);
    await copy.finish();
    // A byte-identical upload copies the analysis, not the index rows.
    const identical = await claim("identical.mp4");
    await identical.copyAnalysis(original.videoId);
    await identical.finish();

    expect(indexEntries(source).length).toBeGreaterThan(20);
    expect(await indexRowsOf(original.videoNum)).toBe(rowsOf(source, strip));
    expect(await indexRowsOf(copy.videoNum)).toBe(0);
    expect(await indexRowsOf(identical.videoNum)).toBe(0);

    await new ObjectEraser(db).erase({ bucket: BUCKET, key: "original.mp4" }, undefined, undefined);
    expect(await indexRowsOf(original.videoNum)).toBe(0);
    expect(await indexRowsOf(copy.videoNum)).toBe(rowsOf(copySignature, copyStrip));
    // The footage is still found, through the copy.
    const again = reencoded(rng, source);
    const found = await findDuplicates(index, {
      videoNum: -1,
      signature: again,
      mirrored: [],
      regions: [],
      durationSec: again.length / SAMPLE_RATE,
    });
    expect(found.map((d) => d.reference.key)).toEqual(["copy.mp4"]);
    // And a portrait crop of it, through the copy's centre strip.
    const crop = reencoded(rng, strip.slice(20 * SAMPLE_RATE, 60 * SAMPLE_RATE));
    const asCrop = await findDuplicates(index, {
      videoNum: -1,
      signature: crop,
      mirrored: [],
      regions: [],
      crops: CROP_SHIFTS.map((shift) => ({ shift, signature: [] })),
      durationSec: crop.length / SAMPLE_RATE,
    });
    expect(asCrop).toMatchObject([{ reference: { key: "copy.mp4" }, otherRegion: cropOfStrip(null, 0), verdict: { offsetSec: 20 } }]);
    // And, through the copy's soundtrack rows, 15 s whose pictures' keys all moved, verified by the picture.
    const moved = coarseBitsMoved(source.slice(40 * SAMPLE_RATE, 55 * SAMPLE_RATE));
    const heard = { videoNum: -1, signature: moved, mirrored: [], regions: [], durationSec: 15 };
    expect(await findDuplicates(index, heard)).toEqual([]);
    const item = (sec: number) => Math.round(sec / AUDIO_ITEM_SEC);
    const withSound = await findDuplicates(index, { ...heard, audioPrint: sound.slice(item(40), item(55)) });
    expect(withSound).toMatchObject([
      { reference: { key: "copy.mp4" }, evidence: "both", verdict: { offsetSec: 40, querySegment: [0, 15] } },
    ]);
  });
});
