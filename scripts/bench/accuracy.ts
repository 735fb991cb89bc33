/**
 * npm run bench:accuracy — precision and recall per transformation, for this project's
 * detector, for Meta's vPDQ (its documented thresholds) and for the seed's method (≥ 2 exactly
 * equal cut timestamps), on one corpus.
 * Runs the real analysis and matching code (analyzeObject) on a fresh database; only the
 * queue and S3 are bypassed (objects are read from local files).
 *   BENCH_SEED (20261123), BENCH_ORIGINALS (20), BENCH_NEGATIVES (40), BENCH_CONCURRENCY (2),
 *   BENCH_CORPUS_DIR (a corpus directory to reuse instead of the seed's cache),
 *   BENCH_VPDQ=0 (leave vPDQ's column out: it decodes every video once more)
 */
import os from "node:os";
import path from "node:path";
import { createDb } from "../../src/store/prisma.js";
import { analyzeObject } from "../../src/ingest/analyze-object.js";
import { LocalFileStore } from "./local-store.js";
import { buildCorpus, caseOriginals, type CorpusVideo } from "./corpus.js";
import { TRANSFORMATIONS } from "./edits.js";
import { mulberry32 } from "./random-scenes.js";
import { COMPILATIONS } from "./compilations.js";
import { printDetails, type MatchRow } from "./accuracy-details.js";
import { pairKey, seedPairs, vpdqPairs } from "./peers.js";
import { isCopy, related, sourcesOf } from "./truth.js";
import { benchDatabaseUrl, benchIngest, runAll } from "./util.js";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const seed = env("BENCH_SEED", 20261123);
const originals = env("BENCH_ORIGINALS", 20);
const negatives = env("BENCH_NEGATIVES", 40);
const concurrency = env("BENCH_CONCURRENCY", Math.max(1, os.cpus().length));
const databaseUrl = benchDatabaseUrl("accuracy");

function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const started = Date.now();
// The generator's version is part of the cache key: a changed generator makes a new corpus.
const dir = path.resolve(process.env.BENCH_CORPUS_DIR ?? path.join(".run", "bench-corpus", `v8-${seed}-${originals}x${negatives}`));
const corpus = await buildCorpus({ seed, originals, negatives, dir }, (line) => console.error(`[corpus] ${line}`));
console.error(`[corpus] ${corpus.length} videos in ${dir} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

const db = createDb({ url: databaseUrl, poolMax: 4, connectTimeoutMs: 5000, statementTimeoutMs: 60000 });
const objects = await LocalFileStore.create(new Map(corpus.map((v) => [v.id, v.file])));
const deps = benchIngest(db, objects);
const signal = new AbortController().signal;
const analyse = async (video: CorpusVideo) => {
  const outcome = await analyzeObject(
    deps,
    { bucket: "bench", key: video.id, size: undefined, etag: undefined, eventTime: undefined, sequencer: undefined },
    "bench",
    signal,
  );
  if (outcome !== "done") console.error(`[analysis] ${video.id}: ${outcome}`);
};

const references = corpus.filter((v) => v.transformation === "original" || v.family === undefined);
const copies = shuffle(
  corpus.filter((v) => !references.includes(v)),
  mulberry32(seed + 1),
);
// vPDQ first: it hashes every file (cached), and a failure there should not cost our analysis.
const withVpdq = process.env.BENCH_VPDQ !== "0";
const vpdqStarted = Date.now();
const vpdq = withVpdq ? await vpdqPairs([...references, ...copies], path.join(dir, "vpdq")) : undefined;
const vpdqSec = (Date.now() - vpdqStarted) / 1000;
const analysisStarted = Date.now();
await runAll(references, concurrency, analyse);
await runAll(copies, concurrency, analyse);
const analysisSec = (Date.now() - analysisStarted) / 1000;

// Ground truth and what each method reported, as unordered pairs of corpus ids.
const byId = new Map(corpus.map((v) => [v.id, v]));
const rows = await db.$queryRaw<MatchRow[]>`
  SELECT v1.key AS a, v2.key AS b, m.kind::text AS kind, (m.segment_end - m.segment_start) / v1.duration_sec AS span,
         m.score, m.offset_sec AS offset, m.segment_start AS start, m.segment_end AS "end", m.flipped, m.rate, m.region, m.other_region, m.evidence::text AS evidence, m.other_start, m.other_end, v2.duration_sec AS other_duration,
         m.more_segments
  FROM match m JOIN video v1 ON v1.id = m.video_id JOIN video v2 ON v2.id = m.other_video_id`;
const cuts = await db.$queryRaw<{ key: string; times: number[] }[]>`
  SELECT v.key, array_agg(c.time_sec) AS times FROM video v JOIN scene_cut c ON c.video_id = v.id GROUP BY v.key`;
await db.$disconnect();

const ours = new Set(rows.map((r) => pairKey(r.a, r.b)));
/** What each copy reported for its own original: the kind, the share of its length the segment spans, and the rest of the row. */
const reportOf = new Map(rows.map((r) => [`${r.a}|${r.b}`, { ...r, kind: r.kind.replace("_", "-") }]));
const peers = { ...(vpdq && { vPDQ: vpdq }), "seed method": seedPairs(cuts) };

const sameFamily = (pair: string) => {
  const [a, b] = pair.split("|").map((id) => byId.get(id)!);
  return related(a!, b!);
};
/** The originals a copy carries that a method did not report it against. */
const missedSources = (reported: Set<string>, copy: CorpusVideo) => sourcesOf(copy).filter((s) => !reported.has(pairKey(copy.id, s)));
interface Tally {
  copies: number;
  found: number;
  reports: number;
  correct: number;
}
const tally = (reported: Set<string>, group: (v: CorpusVideo) => boolean): Tally => {
  const members = corpus.filter(group);
  const t: Tally = { copies: 0, found: 0, reports: 0, correct: 0 };
  for (const video of members) {
    // A compilation counts once for each of its sources.
    if (isCopy(video)) {
      t.copies += sourcesOf(video).length;
      t.found += sourcesOf(video).length - missedSources(reported, video).length;
    }
    for (const pair of reported) {
      if (!pair.split("|").includes(video.id)) continue;
      t.reports += 1;
      if (sameFamily(pair)) t.correct += 1;
    }
  }
  return t;
};
/**
 * What a copy must be told by the README's definitions: one that keeps every picture of its
 * original is a whole copy (near-duplicate, or identical bytes) whose segment spans at least
 * 75 % of it. Trims and fragments are either kind, by how much of the original they keep.
 */
const CUTS_FOOTAGE = /^(trimmed|fragment|compilation)/;
const expectedKind = (transformation: string) =>
  transformation === "byte-identical" ? "identical" : CUTS_FOOTAGE.test(transformation) ? undefined : "near-duplicate";
/** Found whole copies, and those reported as something else or over less than 75 % of their length. */
const wholeCopies = (group: (v: CorpusVideo) => boolean) => {
  const judged = corpus.filter(
    (v) => group(v) && v.family !== undefined && expectedKind(v.transformation) !== undefined && reportOf.has(`${v.id}|${v.family}`),
  );
  const wrong = judged.filter((v) => {
    const report = reportOf.get(`${v.id}|${v.family}`)!;
    return report.kind !== expectedKind(v.transformation) || report.span < 0.75;
  });
  return { judged: judged.length, right: judged.length - wrong.length, wrong };
};

/** Videos of the corpus whose id matches (its own sizes, whatever BENCH_CORPUS_DIR points at). */
const count = (id: RegExp) => corpus.filter((v) => id.test(v.id)).length;
const fmt = (num: number, den: number) => (den === 0 ? "   –  " : (num / den).toFixed(3).padStart(6));
const line = (name: string, group: (v: CorpusVideo) => boolean) => {
  const k = wholeCopies(group);
  const kind = k.judged ? `${k.right}/${k.judged}` : "–";
  // Found copies whose match the soundtrack confirmed (evidence "both").
  const heard = corpus.filter(group).flatMap((v) => (v.family ? (reportOf.get(`${v.id}|${v.family}`) ?? []) : []));
  const sound = heard.length ? `${heard.filter((r) => r.evidence === "both").length}/${heard.length}` : "–";
  const a = tally(ours, group);
  const others = Object.values(peers).map((reported) => tally(reported, group));
  return `${name.padEnd(24)} ${String(a.copies || "").padStart(4)}   ${fmt(a.found, a.copies)} ${fmt(a.correct, a.reports)}  ${kind.padStart(5)} ${sound.padStart(5)}${others.map((b) => `   ${fmt(b.found, b.copies)} ${fmt(b.correct, b.reports)}`).join("")}`;
};

console.log(
  `\naccuracy benchmark — seed ${seed}: ${count(/^o\d+$/)} originals + ${caseOriginals(dir).length} reported case(s) × ${Object.keys(TRANSFORMATIONS).length} transformations, ${count(/^n\d+$/)} negatives (${corpus.length} videos)`,
);
console.log(
  `analysis: ${analysisSec.toFixed(0)} s for ${corpus.length} videos at concurrency ${concurrency}; vPDQ: ${vpdq ? `${vpdqSec.toFixed(0)} s` : "not run (BENCH_VPDQ=0)"}\n`,
);
const peerNames = Object.keys(peers);
console.log(`${"".padEnd(24)} ${"n".padStart(4)}   ${"this project".padEnd(26)}${peerNames.map((p) => `   ${p.padEnd(13)}`).join("")}`);
console.log(
  `${"transformation".padEnd(24)} ${"".padStart(4)}   recall  prec.  whole sound${peerNames.map(() => "   recall  prec.").join("")}`,
);
const families = [...Object.keys(TRANSFORMATIONS), ...COMPILATIONS.filter((name) => corpus.some((v) => v.transformation === name))];
for (const name of families) console.log(line(name, (v) => v.transformation === name));
const negativeGroups = [...new Set(corpus.filter((v) => v.family === undefined).map((v) => v.transformation.replace(/ as o\d+$/, "")))];
for (const group of negativeGroups) {
  const g = (v: CorpusVideo) => v.family === undefined && v.transformation.startsWith(group);
  const reports = [ours, ...Object.values(peers)].map((reported) => `false reports: ${String(tally(reported, g).reports).padStart(3)}`);
  console.log(`${group.padEnd(24)} ${String(corpus.filter(g).length).padStart(4)}   ${reports.join("   ")}`);
}
const overall = (reported: Set<string>) => {
  const t = tally(reported, isCopy);
  const correct = [...reported].filter(sameFamily).length;
  return {
    recall: t.found / t.copies,
    precision: reported.size ? correct / reported.size : 1,
    pairs: reported.size,
    wrong: reported.size - correct,
  };
};
for (const [i, [name, reported]] of [["this project", ours] as const, ...Object.entries(peers)].entries()) {
  const o = overall(reported);
  console.log(
    `${i === 0 ? "\noverall (all reported pairs)" : "".padEnd(28)}   ${`${name}:`.padEnd(14)} recall ${o.recall.toFixed(3)}  precision ${o.precision.toFixed(3)} (${o.wrong} wrong of ${o.pairs})`,
  );
}
const whole = wholeCopies(() => true);
const describe = (v: CorpusVideo) => {
  const report = reportOf.get(`${v.id}|${v.family}`)!;
  return `\n  ${v.id}: ${report.kind} over ${(100 * report.span).toFixed(0)} % of its length, expected ${expectedKind(v.transformation)}`;
};
console.log(
  `\nwhole copies told as whole (kind, and a segment over ≥ 75 % of the copy): ${whole.right} of ${whole.judged}` +
    whole.wrong.map(describe).join(""),
);
// Every wrong pair and every copy not found, by name, so a change in the totals can be traced.
const wrongPairs = [...new Map(rows.filter((r) => !sameFamily(pairKey(r.a, r.b))).map((r) => [pairKey(r.a, r.b), r])).values()];
if (wrongPairs.length > 0)
  console.log(
    `\npairs reported between unrelated videos:\n${wrongPairs
      .map(
        (r) =>
          `  ${r.a} (${byId.get(r.a)!.transformation}) ~ ${r.b} (${byId.get(r.b)!.transformation}): ${r.kind}, score ${r.score.toFixed(2)}, offset ${r.offset.toFixed(1)} s\n`,
      )
      .join("")}`,
  );
printDetails(corpus, reportOf);
const notFound = corpus.filter(isCopy).flatMap((v) => missedSources(ours, v).map((s) => (v.parts ? `${v.id} (${s})` : v.id)));
if (notFound.length > 0) console.log(`\ncopies not found: ${notFound.join(", ")}`);
