/**
 * npm run bench:match — fills the index with synthetic fingerprints at 1 k, 10 k and 100 k
 * videos (batched inserts, throughput printed) and times the real match query
 * (findDuplicates: index lookup → voting → verification) for new 2-minute videos at each
 * size: p50 / p95 over BENCH_QUERIES queries, half of them copies of stored videos.
 *   BENCH_SIZES (1000,10000,100000), BENCH_QUERIES (200), BENCH_BATCH (5000 videos), BENCH_SEED
 */
import { createDb } from "../../src/store/prisma.js";
import pg from "pg";
import { FingerprintStore } from "../../src/store/fingerprint-store.js";
import { FingerprintImporter } from "../../src/store/fingerprint-import.js";
import { encodeSignature, indexEntries, SAMPLE_RATE } from "../../src/fingerprint/signature.js";
import type { Hash64 } from "../../src/fingerprint/frame-hash.js";
import { findDuplicates } from "../../src/match/find-duplicates.js";
import { mulberry32 } from "./corpus.js";
import { reencoded, syntheticSignature } from "./synthetic.js";
import { benchDatabaseUrl, percentile } from "./util.js";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const queries = Number(process.env.BENCH_QUERIES ?? 200);
const rng = mulberry32(Number(process.env.BENCH_SEED ?? 7));
const databaseUrl = benchDatabaseUrl("match");

const db = createDb({ url: databaseUrl, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 });
const index = new FingerprintStore(db);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const importer = new FingerprintImporter(pool);
/** Videos per import transaction: larger batches touch each index page once for more rows. */
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
/** Kept to make copies from: a sample of stored signatures. */
const stored: { key: string; signature: (Hash64 | undefined)[] }[] = [];

interface Batch {
  readonly keys: string[];
  readonly durations: number[];
  readonly blobs: Buffer[];
  readonly entries: { key: number; sample: number }[][];
}

/** Synthesises a batch of videos (not timed: it stands for the analysis, not the index). */
function makeBatch(count: number, offset: number): Batch {
  const keys: string[] = [];
  const durations: number[] = [];
  const blobs: Buffer[] = [];
  const entries: { key: number; sample: number }[][] = [];
  for (let i = 0; i < count; i += 1) {
    const durationSec = Math.round(30 + rng() * 150);
    const signature = syntheticSignature(rng, durationSec);
    keys.push(`synthetic/${offset + i}.mp4`);
    durations.push(durationSec);
    blobs.push(encodeSignature(signature));
    entries.push(indexEntries(signature));
    if (stored.length < 500 && rng() < 0.05) stored.push({ key: keys[i]!, signature });
  }
  return { keys, durations, blobs, entries };
}

/** One transaction a batch, through the bulk import path. */
async function insertBatch({ keys, durations, blobs, entries }: Batch): Promise<void> {
  await importer.import(
    "bench",
    keys.map((key, i) => ({ key, durationSec: durations[i]!, signature: blobs[i]!, entries: entries[i]! })),
  );
}

console.log(
  `match benchmark — synthetic catalog, ${queries} queries of 2-minute videos per size (half are re-encoded copies of stored videos)\n`,
);
console.log("videos   index rows   insert videos/s   query p50 ms   p95 ms   copies found");
let inCatalog = 0;
const results: { size: number; p95: number }[] = [];
for (const size of sizes) {
  const toInsert = size - inCatalog;
  let insertMs = 0;
  for (let done = 0; done < toInsert; done += BATCH) {
    const batch = makeBatch(Math.min(BATCH, toInsert - done), inCatalog + done);
    const t0 = performance.now();
    await insertBatch(batch);
    insertMs += performance.now() - t0;
  }
  const insertSec = insertMs / 1000;
  inCatalog = size;
  // What autovacuum does after inserts (migration 0005 makes it run after 1 % growth): set the
  // visibility map, so lookups stay index-only, and refresh the planner's statistics.
  await db.$executeRawUnsafe("VACUUM ANALYZE frame_index");
  await db.$executeRawUnsafe("VACUUM ANALYZE video");
  const [{ rows }] = (await db.$queryRaw<{ rows: bigint }[]>`SELECT count(*) AS rows FROM frame_index`) as [{ rows: bigint }];

  const latencies: number[] = [];
  let copies = 0;
  let found = 0;
  for (let q = 0; q < queries; q += 1) {
    const source = q % 2 === 0 && stored.length > 0 ? stored[Math.floor(rng() * stored.length)]! : undefined;
    // A new 2-minute video: a re-encode of a stored one's first 2 minutes, or new footage.
    const signature = source ? reencoded(rng, source.signature.slice(0, 120 * SAMPLE_RATE)) : syntheticSignature(rng, 120);
    const t0 = performance.now();
    const duplicates = await findDuplicates(index, -1, signature, signature.length / SAMPLE_RATE);
    latencies.push(performance.now() - t0);
    if (source) {
      copies += 1;
      if (duplicates.some((d) => d.reference.key === source.key)) found += 1;
    }
  }
  latencies.sort((a, b) => a - b);
  const p95 = percentile(latencies, 95);
  results.push({ size, p95 });
  console.log(
    `${String(size).padStart(6)}   ${String(rows).padStart(10)}   ${(toInsert / insertSec).toFixed(0).padStart(15)}   ${percentile(latencies, 50).toFixed(1).padStart(12)}   ${p95.toFixed(1).padStart(6)}   ${found}/${copies}`,
  );
}
const first = results[0];
const last = results[results.length - 1];
if (first && last && first !== last)
  console.log(`\np95 ratio ${last.size / 1000} k / ${first.size / 1000} k videos: ${(last.p95 / first.p95).toFixed(2)}`);
await db.$disconnect();
await pool.end();
