/** The accuracy corpus's ground truth: which originals' footage each video carries. */
import type { CorpusVideo } from "./corpus.js";

/** The originals a video carries footage of: its family, or every source of a compilation (once each); none for a negative. */
export const sourcesOf = (v: CorpusVideo): readonly string[] =>
  v.parts ? [...new Set(v.parts.map((p) => p.source))] : v.family ? [v.family] : [];

/** Two videos that share some original's footage: a pair any method may rightly report. */
export const related = (a: CorpusVideo, b: CorpusVideo): boolean => sourcesOf(a).some((s) => sourcesOf(b).includes(s));

/** A copy of an original (not an original, not a negative). */
export const isCopy = (v: CorpusVideo): v is CorpusVideo & { family: string } => v.family !== undefined && v.transformation !== "original";

/** Intersection over union of two intervals (seconds). */
export const intervalIoU = (a: readonly [number, number], b: readonly [number, number]): number =>
  Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0])) / (Math.max(a[1], b[1]) - Math.min(a[0], b[0]));
