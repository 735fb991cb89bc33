/**
 * npm run bench:match — fills the index with synthetic fingerprints at 1 k, 10 k and 100 k
 * videos (batched inserts; the rate per size step and per 100 k videos printed) and times the
 * real match query (findDuplicates: index lookup of the picture's keys and of its mirror image's
 * (exact keys; synthetic queries' mirror images are unseen footage) → voting → verification) for new 2-minute
 * videos at each size: p50 / p95 / p99 over BENCH_QUERIES queries, half of them copies of stored
 * videos, with the search (in the database, then the voting over the rows past its first cut) and
 * the verification apart, the index rows a search reads, those that leave the database and the
 * candidates it finds, the index's bytes per video (table and indexes apart) and
 * the WAL its inserts wrote; then the search time, the match time of the same queries without the mirror
 * image's search (run before or after each in turn), the keys it looked up and the time computing them took (queryEntries,
 * steady pictures included) for copies and for new footage apart,
 * each copy not found, with the distinct pictures verification sees at its
 * true offset; at the end, the primary key rebuilt (REINDEX CONCURRENTLY) and its size before and after.
 *   BENCH_SIZES (1000,10000,100000), BENCH_QUERIES (200), BENCH_BATCH (5000 videos), BENCH_SEED,
 *   BENCH_CATALOG: random (random pictures, short shots) or realistic (realisticSignature: pictures
 *   around a few layouts, long still and slow shots, fades, shared intros);
 *   BENCH_INDEX_PARTITIONS (scripts/bench.sh): on the hash-partitioned index;
 *   BENCH_SOUNDTRACK=1: every stored video and query with a soundtrack (random items, every one a
 *   change; a copy's keeps a third of its items exact): the soundtrack's index rows and lookups
 */
import { createDb } from "../../src/store/prisma.js";
import pg from "pg";
import { FrameIndex } from "../../src/store/frame-index.js";
import { FingerprintImporter } from "../../src/store/fingerprint-import.js";
import { encodeSignature, oneBitNeighbours, queryEntries, SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import { CROP_SHIFTS } from "../../src/fingerprint/centre-strip.js";
import { AUDIO_ITEM_SEC, type AudioPrint } from "../../src/fingerprint/audio-print.js";
import { videoIndexEntries } from "../../src/fingerprint/stored-rows.js";
import type { Hash64 } from "../../src/fingerprint/frame-hash.js";
import { findDuplicates, VOTING } from "../../src/match/find-duplicates.js";
import { verifyOffset } from "../../src/fingerprint/verify.js";
import { MIN_DISTINCT_PICTURES } from "../../src/fingerprint/verdict.js";
import type { SignatureIndex } from "../../src/match/signature-index.js";
import { mulberry32 } from "./random-scenes.js";
import { realisticSignature, realisticWorld, reencoded, syntheticSignature } from "./synthetic.js";
import { benchDatabaseUrl, percentile } from "./util.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const queries = Number(process.env.BENCH_QUERIES ?? 200);
const rng = mulberry32(Number(process.env.BENCH_SEED ?? 7));
const databaseUrl = benchDatabaseUrl("match");
const catalog = process.env.BENCH_CATALOG ?? "random";
if (catalog !== "random" && catalog !== "realistic") throw new Error(`BENCH_CATALOG is random or realistic, not ${catalog}`);
const world = realisticWorld(mulberry32(Number(process.env.BENCH_SEED ?? 7) + 1));
/** New footage of the chosen catalog. */
const footage = (sec: number, from = rng) =>
  catalog === "realistic" ? realisticSignature(from, world, sec) : syntheticSignature(from, sec);
/**
 * The mirror images of the queries (searched by their exact keys, for flipped copies): footage
 * the index has not seen, as for an upload that is no flipped copy. Drawn from a stream of
 * their own, so the catalog and the queries stay those of the runs before the mirror search.
 */
const mirrorRng = mulberry32(Number(process.env.BENCH_SEED ?? 7) + 2);
/** The same for a region of the frame (a portrait upload's band): footage the index has not seen. */
const regionRng = mulberry32(Number(process.env.BENCH_SEED ?? 7) + 3);
const PORTRAIT_BAND = [0, 0.342, 1, 0.658] as const;
/**
 * Each stored video's centre strip (what a 9:16 crop keeps), and a portrait upload's picture
 * shifted (searched as a crop): footage of their own streams, so the catalog's pictures and
 * the queries stay those of the runs before the strips.
 */
const stripRng = mulberry32(Number(process.env.BENCH_SEED ?? 7) + 4);
const cropRng = mulberry32(Number(process.env.BENCH_SEED ?? 7) + 5);
/** Soundtracks, from a stream of their own (BENCH_SOUNDTRACK=1). */
const soundRng = mulberry32(Number(process.env.BENCH_SEED ?? 7) + 6);
const withSoundtracks = process.env.BENCH_SOUNDTRACK === "1";
const melody = (sec: number): AudioPrint | null =>
  withSoundtracks ? Uint32Array.from({ length: Math.round(sec / AUDIO_ITEM_SEC) }, () => Math.floor(soundRng() * 2 ** 32) >>> 0) : null;
/** A copy's soundtrack: two items of three with a bit flipped (a re-encode keeps about a third exact). */
const reencodedSound = (print: AudioPrint | null) => print && print.map((item, i) => (i % 3 === 0 ? item : (item ^ 1) >>> 0));

const db = createDb({ url: databaseUrl, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 });
const frameIndex = new FrameIndex(db);
/**
 * The index searches, timed and counted (the rest of a query is loading references and
 * verification). A query's two searches (the picture's, the mirror image's) run at once:
 * their time is from the first one's start to the last one's end.
 */
const lookups = { first: Infinity, last: 0, rowsRead: 0, rowsOut: 0, candidates: 0 };
const searchMs = () => lookups.last - lookups.first;
const index: SignatureIndex = {
  findCandidates: async (query) => {
    lookups.first = Math.min(lookups.first, performance.now());
    const search = await frameIndex.findCandidates(query);
    lookups.last = Math.max(lookups.last, performance.now());
    lookups.rowsRead += search.rowsRead;
    lookups.rowsOut += search.rowsReturned;
    lookups.candidates += search.candidates[0]!.length;
    return search;
  },
  loadReferences: (nums) => frameIndex.loadReferences(nums),
};
/** Insert rates per 100 k videos (the step that ended at each multiple of 100 k). */
const per100k: { upTo: number; videosPerSec: number }[] = [];
let stepMs = 0;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const importer = new FingerprintImporter(pool);
/** Videos per import transaction: larger batches touch each index page once for more rows. */
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
/** Kept to make copies from: a sample of stored signatures. */
const stored: { key: string; signature: (Hash64 | undefined)[]; strip: (Hash64 | undefined)[]; sound: AudioPrint | null }[] = [];

interface Batch {
  readonly keys: string[];
  readonly durations: number[];
  readonly blobs: Buffer[];
  readonly strips: Buffer[];
  readonly entries: { key: number; sample: number }[][];
}

/** Synthesises a batch of videos (not timed: it stands for the analysis, not the index). */
function makeBatch(count: number, offset: number): Batch {
  const keys: string[] = [];
  const durations: number[] = [];
  const blobs: Buffer[] = [];
  const strips: Buffer[] = [];
  const entries: { key: number; sample: number }[][] = [];
  for (let i = 0; i < count; i += 1) {
    const durationSec = Math.round(30 + rng() * 150);
    const signature = footage(durationSec);
    const strip = footage(durationSec, stripRng);
    keys.push(`synthetic/${offset + i}.mp4`);
    durations.push(durationSec);
    blobs.push(encodeSignature(signature));
    strips.push(encodeSignature(strip));
    const sound = melody(durationSec);
    entries.push(videoIndexEntries(signature, strip, sound));
    if (stored.length < 500 && rng() < 0.05) stored.push({ key: keys[i]!, signature, strip, sound });
  }
  return { keys, durations, blobs, strips, entries };
}

/** Bytes of WAL written so far (the server's, so run it alone). */
async function walPosition(): Promise<number> {
  const [{ bytes }] = (await db.$queryRaw<{ bytes: string }[]>`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS bytes`) as [
    { bytes: string },
  ];
  return Number(bytes);
}

/** One transaction a batch, through the bulk import path. */
async function insertBatch({ keys, durations, blobs, strips, entries }: Batch): Promise<void> {
  await importer.import(
    "bench",
    keys.map((key, i) => ({ key, durationSec: durations[i]!, signature: blobs[i]!, stripSignature: strips[i]!, entries: entries[i]! })),
  );
}

/** Search p50 / p95, distinct keys looked up (with their one-bit neighbours) and the time computing them took, copies and new footage apart. */
const searchSplit: string[] = [];
/** Copies not found, and what verification sees at their true offset. */
const missed: string[] = [];
function describeMiss(size: number, source: (typeof stored)[number], copy: readonly (Hash64 | undefined)[]): string {
  const alignment = verifyOffset(copy, source.signature, 0);
  const pictures = alignment?.distinctPictures ?? 0;
  const why = pictures < MIN_DISTINCT_PICTURES ? ` (fewer than ${MIN_DISTINCT_PICTURES}: never a duplicate, by design)` : "";
  return `at ${size / 1000} k: ${source.key}, ${(copy.length / SAMPLE_RATE).toFixed(0)} s, ${pictures} distinct pictures at its true offset${why}`;
}

/** Bytes of frame_index (its partitions too): table and indexes. */
async function indexSizes(): Promise<{ table: number; indexes: number }> {
  const [sizes] = await db.$queryRaw<{ table: bigint; indexes: bigint }[]>`
    SELECT sum(pg_table_size(c.oid))::bigint AS table, sum(pg_indexes_size(c.oid))::bigint AS indexes
    FROM pg_class c WHERE c.oid = 'frame_index'::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'frame_index'::regclass)`;
  return { table: Number(sizes!.table), indexes: Number(sizes!.indexes) };
}

const settings = await db.$queryRaw<{ name: string; setting: string }[]>`
  SELECT name, current_setting(name) AS setting FROM pg_settings
  WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'server_version') ORDER BY name`;
console.log(
  `match benchmark — ${catalog} synthetic catalog${process.env.BENCH_INDEX_PARTITIONS ? `, index in ${process.env.BENCH_INDEX_PARTITIONS} hash partitions` : ""}, ${queries} queries of 2-minute videos per size (half are re-encoded copies of stored videos)`,
);
console.log(`PostgreSQL: ${settings.map((s) => `${s.name} ${s.setting}`).join(", ")}\n`);
console.log(
  "| videos | index rows | table B/video | indexes B/video | insert videos/s | WAL KB/video | stop keys (rebuild s) | query p50 | p95 | p99 ms | search p50 | p95 ms | verify p95 ms | rows read/query | rows out of the database/query | candidates/query | copies found |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
let inCatalog = 0;
const results: { size: number; p95: number; perQuery: number }[] = [];
for (const size of sizes) {
  const toInsert = size - inCatalog;
  let insertMs = 0;
  const walBefore = await walPosition();
  for (let done = 0; done < toInsert; done += BATCH) {
    const batch = makeBatch(Math.min(BATCH, toInsert - done), inCatalog + done);
    const t0 = performance.now();
    await insertBatch(batch);
    const ms = performance.now() - t0;
    insertMs += ms;
    stepMs += ms;
    const total = inCatalog + done + batch.keys.length;
    if (total % 100_000 === 0) {
      per100k.push({ upTo: total, videosPerSec: 100_000 / (stepMs / 1000) });
      stepMs = 0;
    }
  }
  const insertSec = insertMs / 1000;
  const walPerVideo = (await walPosition()) - walBefore;
  inCatalog = size;
  // What autovacuum does after inserts (migration 0005 makes it run after 1 % growth): set the
  // visibility map, so lookups stay index-only, and refresh the planner's statistics.
  await db.$executeRawUnsafe("VACUUM ANALYZE frame_index");
  await db.$executeRawUnsafe("VACUUM ANALYZE video");
  const [{ rows }] = (await db.$queryRaw<{ rows: bigint }[]>`SELECT count(*) AS rows FROM frame_index`) as [{ rows: bigint }];
  const { table, indexes } = await indexSizes();
  // What an operator runs after a bulk import; then the searches keep the list current.
  const rebuildStart = performance.now();
  const stopKeys = await frameIndex.rebuildStopList(VOTING.stopAt);
  const rebuildSec = (performance.now() - rebuildStart) / 1000;

  const latencies: number[] = [];
  const unmirroredLatencies: number[] = [];
  const regionLatencies: number[] = [];
  const portraitLatencies: number[] = [];
  let cropsFound = 0;
  const lookupLatencies: number[] = [];
  const verifyLatencies: number[] = [];
  let rowsRead = 0;
  let rowsOut = 0;
  let rowsReturned = 0;
  let copies = 0;
  let found = 0;
  const byKind = {
    copy: { ms: [] as number[], keys: 0, mirrorKeys: 0, keysMs: [] as number[] },
    new: { ms: [] as number[], keys: 0, mirrorKeys: 0, keysMs: [] as number[] },
  };
  for (let q = 0; q < queries; q += 1) {
    const source = q % 2 === 0 && stored.length > 0 ? stored[Math.floor(rng() * stored.length)]! : undefined;
    // A new 2-minute video: a re-encode of a stored one's first 2 minutes, or new footage.
    const signature = source ? reencoded(rng, source.signature.slice(0, 120 * SAMPLE_RATE)) : footage(120);
    const audioPrint = source ? reencodedSound(source.sound?.slice(0, Math.round(120 / AUDIO_ITEM_SEC)) ?? null) : melody(120);
    const query = {
      videoNum: -1,
      signature,
      mirrored: footage(120, mirrorRng),
      regions: [],
      durationSec: signature.length / SAMPLE_RATE,
      audioPrint,
    };
    // The same query without the mirror image, and with a region of the frame searched too,
    // untimed by the wrapper, before or after it in turn (the second run of a query finds its
    // pages cached): what each search costs.
    const region = { region: PORTRAIT_BAND, stillAround: false, signature: footage(120, regionRng) };
    // A portrait upload (new footage): its band, and its picture as a crop (as it is and shifted).
    // For a copy, the picture shifted by 5 % of its width is a re-encode of the stored video's centre strip.
    const crops = CROP_SHIFTS.map((shift) => ({ shift, signature: footage(120, cropRng) }));
    const cropped = source && reencoded(cropRng, source.strip.slice(0, 120 * SAMPLE_RATE));
    const portrait = {
      ...query,
      signature: footage(120, cropRng),
      regions: [region],
      crops: cropped ? crops.map((c) => (c.shift === 0.05 ? { ...c, signature: cropped } : c)) : crops,
    };
    const variants = async () => {
      for (const [variant, times] of [
        [{ ...query, mirrored: [] }, unmirroredLatencies],
        [{ ...query, regions: [region] }, regionLatencies],
        [portrait, portraitLatencies],
      ] as const) {
        const start = performance.now();
        const found = await findDuplicates(frameIndex, variant);
        times.push(performance.now() - start);
        if (variant === portrait && source && found.some((d) => d.reference.key === source.key && d.otherRegion)) cropsFound += 1;
      }
    };
    if (q % 4 < 2) await variants();
    lookups.first = Infinity;
    lookups.last = lookups.rowsRead = lookups.rowsOut = lookups.candidates = 0;
    const t0 = performance.now();
    const duplicates = await findDuplicates(index, query);
    latencies.push(performance.now() - t0);
    if (q % 4 >= 2) await variants();
    lookupLatencies.push(searchMs());
    const kind = byKind[source ? "copy" : "new"];
    kind.ms.push(searchMs());
    // The query's keys again, outside the timed match: their cost (steady pictures included) apart.
    const keysStart = performance.now();
    const entries = queryEntries(signature);
    kind.keysMs.push(performance.now() - keysStart);
    kind.keys += new Set(entries.flatMap((e) => oneBitNeighbours(e.key))).size;
    kind.mirrorKeys += new Set(queryEntries(query.mirrored).map((e) => e.key)).size;
    verifyLatencies.push(latencies[latencies.length - 1]! - searchMs());
    rowsRead += lookups.rowsRead;
    rowsOut += lookups.rowsOut;
    rowsReturned += lookups.candidates;
    if (source) {
      copies += 1;
      if (duplicates.some((d) => d.reference.key === source.key)) found += 1;
      else missed.push(describeMiss(size, source, signature));
    }
  }
  latencies.sort((a, b) => a - b);
  lookupLatencies.sort((a, b) => a - b);
  verifyLatencies.sort((a, b) => a - b);
  const unmirrored = [...unmirroredLatencies].sort((a, b) => a - b);
  const withRegion = [...regionLatencies].sort((a, b) => a - b);
  const asPortrait = [...portraitLatencies].sort((a, b) => a - b);
  const p95 = percentile(latencies, 95);
  const perQuery = rowsRead / queries;
  results.push({ size, p95, perQuery });
  const ms = (v: number) => v.toFixed(1);
  searchSplit.push(
    `at ${size / 1000} k: ${Object.entries(byKind)
      .map(([name, k]) => {
        const sorted = [...k.ms].sort((a, b) => a - b);
        const keysMs = [...k.keysMs].sort((a, b) => a - b);
        return `${name === "copy" ? "copies" : "new footage"} ${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 95))} ms, ${(k.keys / Math.max(1, k.ms.length)).toFixed(0)} keys + ${(k.mirrorKeys / Math.max(1, k.ms.length)).toFixed(0)} of the mirror image (the picture's computed in ${percentile(keysMs, 50).toFixed(2)} ms p50)`;
      })
      .join(
        "; ",
      )}; the same queries without the mirror image's search: match p50 / p95 ${ms(percentile(unmirrored, 50))} / ${ms(percentile(unmirrored, 95))} ms (with it: ${ms(percentile(latencies, 50))} / ${ms(p95)}); with a region of the frame searched too (a portrait upload's band): ${ms(percentile(withRegion, 50))} / ${ms(percentile(withRegion, 95))} ms; as a portrait upload (the band, and the picture as a crop: as it is and at ${CROP_SHIFTS.length} shifts): ${ms(percentile(asPortrait, 50))} / ${ms(percentile(asPortrait, 95))} ms, crops of stored videos found ${cropsFound}/${copies}`,
  );
  console.log(
    `| ${size} | ${rows} | ${Math.round(table / size)} | ${Math.round(indexes / size)} | ${(toInsert / insertSec).toFixed(0)} | ${(walPerVideo / toInsert / 1024).toFixed(1)} | ${stopKeys} (${rebuildSec.toFixed(1)}) | ${ms(percentile(latencies, 50))} | ${ms(p95)} | ${ms(percentile(latencies, 99))} | ${ms(percentile(lookupLatencies, 50))} | ${ms(percentile(lookupLatencies, 95))} | ${ms(percentile(verifyLatencies, 95))} | ${perQuery.toFixed(0)} | ${(rowsOut / queries).toFixed(0)} | ${(rowsReturned / queries).toFixed(1)} | ${found}/${copies} |`,
  );
}
// The maintenance routine the README describes: inserts at random places leave the primary
// key's pages part-empty; a concurrent rebuild packs them (searches and inserts go on meanwhile).
if (!process.env.BENCH_INDEX_PARTITIONS && inCatalog > 0) {
  const before = (await indexSizes()).indexes;
  const t0 = performance.now();
  await db.$executeRawUnsafe("REINDEX INDEX CONCURRENTLY frame_index_pkey");
  const sec = (performance.now() - t0) / 1000;
  const after = (await indexSizes()).indexes;
  console.log(
    `\nREINDEX INDEX CONCURRENTLY frame_index_pkey at ${inCatalog / 1000} k videos: ${sec.toFixed(1)} s; indexes B/video ${Math.round(before / inCatalog)} → ${Math.round(after / inCatalog)}`,
  );
}
console.log(
  `\nsearch p50 / p95, keys looked up per search and the time queryEntries takes to compute them, by query:\n${searchSplit.map((line) => `- ${line}`).join("\n")}`,
);
if (missed.length > 0) console.log(`\ncopies not found:\n${missed.map((m) => `- ${m}`).join("\n")}`);
if (per100k.length > 0)
  console.log(`\ninsert videos/s per 100 k: ${per100k.map((s) => `${s.upTo / 1000} k: ${s.videosPerSec.toFixed(0)}`).join(", ")}`);
const first = results[0];
const last = results[results.length - 1];
if (first && last && first !== last) {
  const ratio = `${last.size / 1000} k / ${first.size / 1000} k videos`;
  console.log(
    `\np95 ratio ${ratio}: ${(last.p95 / first.p95).toFixed(2)}; rows read per query ratio: ${(last.perQuery / first.perQuery).toFixed(1)}`,
  );
}
await db.$disconnect();
await pool.end();
