/**
 * bench:accuracy's closing details: how mirrored and re-timed copies were reported, which
 * layout copies were found through a region of the frame, and how well each compilation
 * source's segment covers the true one.
 */
import { COMPILATIONS } from "./compilations.js";
import type { CorpusVideo } from "./corpus.js";
import { TRANSFORMATIONS } from "./edits.js";
import { intervalIoU } from "./truth.js";

/** One stored match, as the benchmark reads it back. */
export interface MatchRow {
  a: string;
  b: string;
  kind: string;
  span: number;
  score: number;
  offset: number;
  flipped: boolean;
  rate: number;
  region: number[] | null;
  /** Where in the original's frame the copy's picture was found (its centre strip: a crop); empty: the whole frame. */
  other_region: number[] | null;
  evidence: string;
  start: number;
  end: number;
  other_start: number;
  other_end: number;
  other_duration: number;
  /** Further shared segments in this video: [start, end] pairs flattened. */
  more_segments: number[];
}

/** Every segment a row lists in its own video: the strongest, then the further ones. */
const listedSegments = (r: MatchRow): [number, number][] => [
  [r.start, r.end],
  ...Array.from({ length: Math.floor(r.more_segments.length / 2) }, (_, i): [number, number] => [
    r.more_segments[2 * i]!,
    r.more_segments[2 * i + 1]!,
  ]),
];

/** Prints the details, from each copy's report against its original (`copy|original` → row). */
export function printDetails(corpus: readonly CorpusVideo[], reportOf: ReadonlyMap<string, MatchRow>): void {
  // Mirrored and re-timed copies: reported as flipped, at what rate, and how well the segment in the original
  // covers the true one (the whole original: IoU of the two intervals).
  const RETIMED = /^speed (\d+(?:\.\d+)?)×$/;
  for (const name of Object.keys(TRANSFORMATIONS)) {
    const rate = RETIMED.exec(name)?.[1];
    if (!rate && !name.startsWith("mirrored")) continue;
    const reports = corpus
      .filter((v) => v.transformation === name && v.family !== undefined)
      .flatMap((v) => reportOf.get(`${v.id}|${v.family}`) ?? []);
    const iou = (r: MatchRow) => intervalIoU([r.other_start, r.other_end], [0, r.other_duration]);
    const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
    console.log(
      `${name.padEnd(24)} found ${reports.length}: flipped ${reports.filter((r) => r.flipped).length}, rates reported ${reports.map((r) => r.rate).join(" ") || "–"}, mean IoU in the original ${mean(reports.map(iou)).toFixed(2)}`,
    );
  }
  // Copies that show the original in part of their frame: found through a region of it, and where.
  const LAYOUTS = ["vertical, blurred fill", "vertical, centre crop", "caption bars (meme)", "picture-in-picture", "reaction frame"];
  for (const name of LAYOUTS.filter((n) => n in TRANSFORMATIONS)) {
    const reports = corpus
      .filter((v) => v.transformation === name && v.family !== undefined)
      .flatMap((v) => reportOf.get(`${v.id}|${v.family}`) ?? []);
    const where = (region: number[] | null) => (region?.length ? [region.map((x) => x.toFixed(2)).join(",")] : []);
    const regions = reports.flatMap((r) => where(r.region));
    const strips = reports.flatMap((r) => where(r.other_region));
    console.log(
      `${name.padEnd(24)} found ${reports.length}: through a region ${regions.length} (${regions.join("; ") || "–"}), as a crop of the original's centre strip ${strips.length} (${strips.join("; ") || "–"})`,
    );
  }
  // Compilations: each source found, and how well the segments listed for it cover each of its
  // stretches in the compilation (a source used twice must have both listed).
  for (const name of COMPILATIONS) {
    const compilations = corpus.filter((v) => v.transformation === name);
    if (compilations.length === 0) continue;
    const parts = compilations.flatMap((v) => v.parts!.map((part) => ({ part, report: reportOf.get(`${v.id}|${part.source}`) })));
    const sources = compilations.flatMap((v) => [...new Set(v.parts!.map((p) => p.source))].map((s) => reportOf.has(`${v.id}|${s}`)));
    const ious = parts.flatMap(({ part, report }) =>
      report ? [Math.max(...listedSegments(report).map((segment) => intervalIoU(segment, part.at)))] : [],
    );
    const mean = ious.reduce((a, b) => a + b, 0) / Math.max(1, ious.length);
    console.log(
      `${name}: sources found ${sources.filter(Boolean).length} of ${sources.length}; stretches with a listed segment (IoU ≥ 0.5) ${ious.filter((x) => x >= 0.5).length} of ${parts.length}, mean IoU of each found source's stretch with its best listed segment ${mean.toFixed(2)}`,
    );
  }
}
