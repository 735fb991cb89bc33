import type { MatchKind } from "../domain/match.js";
import { SAMPLE_RATE } from "./signature.js";
import type { Alignment } from "./verify.js";

/** How a verified alignment becomes a reported duplicate. Pure. */
export interface Verdict {
  readonly kind: Exclude<MatchKind, "identical">;
  /** 0..1: coverage of the shorter video (by seconds with a picture), weighted by agreement. */
  readonly score: number;
  /** Seconds to add to a time in the query to find it in the stored video. */
  readonly offsetSec: number;
  readonly querySegment: readonly [number, number];
  readonly refSegment: readonly [number, number];
}

/** Footage shared for this long is reuse, whatever the videos' lengths. */
export const MIN_FRAGMENT_SEC = 10;
/** Below this nothing is evidence (a shared intro, a title card). */
export const MIN_EVIDENCE_SEC = 4;
/** Both videos mostly covered → a copy of the whole; otherwise a fragment. */
const WHOLE_COPY_COVERAGE = 0.75;
const MIN_DENSITY = 0.5;
export const MIN_DISTINCT_PICTURES = 3;

const round = (value: number, places = 3) => Math.round(value * 10 ** places) / 10 ** places;

export interface JudgeContext {
  readonly queryDurationSec: number;
  readonly refDurationSec: number;
  /** Seconds with a picture (black, fades and flat cards can never match); default: the duration. */
  readonly queryPictureSec?: number;
  readonly refPictureSec?: number;
  /**
   * How much of the query is decoded so far (an early verdict while the decode runs);
   * default: all of it. A segment that reaches the end of the decoded part is assumed to go
   * on, so a whole copy is not called a fragment just because it is half decoded.
   */
  readonly decodedSec?: number;
  /**
   * The picture footage a match needs, at most (a short video needs most of itself instead);
   * default MIN_FRAGMENT_SEC. Lower only where other evidence backs the picture up.
   */
  readonly minMatchedSec?: number;
  /** The share of compared samples that must agree; default MIN_DENSITY. Lower only where other evidence backs the picture up. */
  readonly minDensity?: number;
}

/**
 * What the picture must show where the soundtracks agree along its alignment: 4 s (a
 * compilation's fragment that is mostly one slow shot), and 40 % of its samples agreeing (a
 * video shown at a third of the frame, an inset, loses detail and agrees less often). A chance
 * agreement of pictures does not come with the same sound at the same moment.
 */
export const WITH_AGREEING_SOUND = { minMatchedSec: MIN_EVIDENCE_SEC, minDensity: 0.4 } as const;

/**
 * Coverage of a video: its seconds with a picture inside the segment over all its seconds
 * with a picture. Seconds without one (black, fades, flat cards, textures too fine for the
 * hash) count on neither side of the fraction: they can never match, so they can neither
 * make a whole copy look like a fragment nor pad a fragment into a copy.
 */
export function judgeAlignment(alignment: Alignment, context: JudgeContext): Verdict | undefined {
  const { queryDurationSec, refDurationSec, decodedSec = queryDurationSec } = context;
  const { minMatchedSec = MIN_FRAGMENT_SEC, minDensity = MIN_DENSITY } = context;
  const queryPictureSec = context.queryPictureSec ?? queryDurationSec;
  const refPictureSec = context.refPictureSec ?? refDurationSec;
  const startSec = alignment.queryStart / SAMPLE_RATE;
  const endSec = alignment.queryEnd / SAMPLE_RATE;
  const matchedSec = alignment.queryPictureSamples / SAMPLE_RATE;
  const density = alignment.matchedSamples / Math.max(1, alignment.comparedSamples);
  const shorterSec = Math.max(1e-6, Math.min(queryPictureSec, refPictureSec));
  // A match rarely reaches the very first and last samples (cuts, sub-sample offsets), so a
  // short video needs most of itself matched, not all of it.
  const requiredSec = Math.max(MIN_EVIDENCE_SEC, Math.min(minMatchedSec, 0.7 * shorterSec));
  if (matchedSec < requiredSec || density < minDensity || alignment.distinctPictures < MIN_DISTINCT_PICTURES) return undefined;

  const offsetSec = alignment.offsetSamples / SAMPLE_RATE;
  const queryCoverage = Math.min(1, matchedSec / Math.max(1e-6, queryPictureSec));
  const refCoverage = Math.min(1, alignment.refPictureSamples / SAMPLE_RATE / Math.max(1e-6, refPictureSec));
  const stillDecoding = decodedSec < queryDurationSec && endSec >= decodedSec - 3;
  // While decoding, a segment that reaches the decoded end is projected to the end of the overlap.
  const projectedSec = Math.min(queryDurationSec, refDurationSec - offsetSec) - startSec;
  const wholeCopy = stillDecoding
    ? projectedSec / queryDurationSec >= WHOLE_COPY_COVERAGE && projectedSec / refPictureSec >= WHOLE_COPY_COVERAGE
    : queryCoverage >= WHOLE_COPY_COVERAGE && refCoverage >= WHOLE_COPY_COVERAGE;
  const agreement = 1 - alignment.meanDistance / 64;
  const shorterCoverage = queryPictureSec <= refPictureSec ? queryCoverage : refCoverage;
  return {
    kind: wholeCopy ? "near-duplicate" : "partial",
    score: round(shorterCoverage * density * agreement),
    offsetSec: round(offsetSec, 2),
    querySegment: [round(startSec, 2), round(endSec, 2)],
    refSegment: [round(Math.max(0, startSec + offsetSec), 2), round(Math.min(refDurationSec, endSec + offsetSec), 2)],
  };
}
