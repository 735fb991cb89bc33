/**
 * Compares two scene-cut timelines that start at the same point (a re-encoded or resized
 * copy keeps every cut at the same time, give or take a frame). Pure.
 */
export interface CutMatchOptions {
  /** How far apart two cut times may be and still be the same cut, in seconds. */
  readonly toleranceSec: number;
  /** Fewest matched cuts that can make a duplicate (two coincidences are common). */
  readonly minMatchedCuts: number;
  /** Fewest matched cuts as a share of the longer timeline. */
  readonly minScore: number;
}

export const DEFAULT_CUT_MATCH: CutMatchOptions = { toleranceSec: 0.1, minMatchedCuts: 3, minScore: 0.6 };

export interface CutMatch {
  readonly matchedCuts: number;
  /** Matched cuts / cuts of the longer timeline, 0..1. */
  readonly score: number;
}

/** Tolerance of one frame at the lower of the two frame rates, never below 50 ms. */
export function frameTolerance(fpsA: number, fpsB: number): number {
  return Math.max(0.05, 1 / Math.min(fpsA, fpsB));
}

/** Counts one-to-one cut pairs within tolerance (both lists sorted ascending). */
export function countAlignedCuts(a: readonly number[], b: readonly number[], toleranceSec: number): number {
  // Cut times are decimal seconds; without the epsilon 4 - 3.96 would exceed 0.04.
  const tolerance = toleranceSec + 1e-9;
  let i = 0;
  let j = 0;
  let matched = 0;
  while (i < a.length && j < b.length) {
    const diff = (a[i] as number) - (b[j] as number);
    if (Math.abs(diff) <= tolerance) {
      matched += 1;
      i += 1;
      j += 1;
    } else if (diff < 0) i += 1;
    else j += 1;
  }
  return matched;
}

/** Returns the match when the timelines agree enough to call the videos duplicates. */
export function matchCutTimelines(a: readonly number[], b: readonly number[], options: CutMatchOptions = DEFAULT_CUT_MATCH): CutMatch | undefined {
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return undefined;
  const matchedCuts = countAlignedCuts(a, b, options.toleranceSec);
  const score = matchedCuts / longer;
  if (matchedCuts < options.minMatchedCuts || score < options.minScore) return undefined;
  return { matchedCuts, score: Math.round(score * 1000) / 1000 };
}
