import { pictureSeconds, SAMPLE_RATE, type Signature } from "./signature.js";
import type { Verdict } from "./verdict.js";
import { DEFAULT_VERIFY, verifyOffset, type Alignment, type VerifyOptions } from "./verify.js";

/**
 * Copies re-timed to another speed (re-uploads sped up to dodge matching, slowed-down edits).
 * Pure. A query at rate r shows the stored video's moment t at r⁻¹·t (plus an offset); on the
 * stored video's clock, query sample j is the query's picture at j / r.
 */

/** The rates a found match may have: 0.75 to 1.5 by 0.05, 1 (no change) among them. */
export const PLAYBACK_RATES: readonly number[] = Array.from({ length: 16 }, (_, i) => Math.round(75 + 5 * i) / 100);
/** Every COARSE_STEP-th rate is tried first, then the two on each side of the best of those. */
const COARSE_STEP = 3;
/**
 * A rate's alignment is searched this far around the offset the rate-1 segment implies (the
 * anchor is known to a sample or two; the full ±1 s search cost twice as much).
 */
const RATE_VERIFY: VerifyOptions = { ...DEFAULT_VERIFY, searchSamples: SAMPLE_RATE / 2 };
/** Another rate is taken only when its alignment covers this much more of the two videos than rate 1. */
const MIN_GAIN = 0.1;
/**
 * Rates are tried for alignments with at least this many agreeing samples at rate 1: a re-timed
 * copy still agrees for a while at each offset it drifts through, and chance alignments rarely do.
 * At 1.5× it drifts half a sample a sample, and verification (each sample probed ±1, pictures
 * that are 0.5 s means) holds a picture for about three samples of drift: where the footage
 * changes all the time, about 1.5 s agree at any one offset.
 */
export const MIN_RATE_SEARCH_SAMPLES = 1.5 * SAMPLE_RATE;

/** The query's signature on the stored video's clock at `rate`. */
export function atRate(signature: Signature, rate: number): Signature {
  if (rate === 1) return signature;
  const length = Math.floor(signature.length * rate);
  return Array.from({ length }, (_, j) => signature[Math.min(signature.length - 1, Math.round(j / rate))]);
}

export interface TimedAlignment {
  readonly rate: number;
  /** The alignment of the query on the stored video's clock (atRate) with the stored video. */
  readonly alignment: Alignment;
}

/** Samples with a picture (at least one): pictureSeconds with no duration to cap it, in samples. */
const pictures = (signature: Signature): number => pictureSeconds(signature, Infinity) * SAMPLE_RATE;

/** A query and its resamplings, each made once: one query is verified against many stored videos. */
export interface RetimedQuery {
  readonly signature: Signature;
  readonly pictures: number;
  at(rate: number): Signature;
}

export function retimings(signature: Signature): RetimedQuery {
  const resampled = new Map<number, Signature>();
  return {
    signature,
    pictures: pictures(signature),
    at(rate) {
      let at = resampled.get(rate);
      if (!at) resampled.set(rate, (at = atRate(signature, rate)));
      return at;
    },
  };
}

/**
 * The rate at which a query matches a stored video best, starting from its alignment at rate 1:
 * at each rate the query is resampled and verified around the offset that keeps the middle of
 * the rate-1 segment in place (every third rate first, then the best one's neighbours). An alignment is measured by how much of both videos it covers
 * (its agreeing samples over each one's pictures, on each one's clock): in a slow shot every
 * rate agrees everywhere, and only the coverage of the two tells the right one. Rate 1 stands
 * unless another covers MIN_GAIN more.
 */
export function bestRate(query: RetimedQuery, ref: Signature, found: Alignment): TimedAlignment {
  const [queryPictures, refPictures] = [query.pictures, pictures(ref)];
  const covered = ({ rate, alignment }: TimedAlignment) =>
    Math.min(1, alignment.matchedSamples / rate / queryPictures) + Math.min(1, alignment.matchedSamples / refPictures);
  const same: TimedAlignment = { rate: 1, alignment: found };
  // Covering both videos (2) is the most any rate can: then no rate can gain MIN_GAIN.
  if (covered(same) > 2 - MIN_GAIN) return same;
  const middle = (found.queryStart + found.queryEnd) / 2;
  const at = (index: number): TimedAlignment | undefined => {
    const rate = PLAYBACK_RATES[index];
    if (rate === undefined || rate === 1) return undefined;
    const alignment = verifyOffset(query.at(rate), ref, Math.round(middle + found.offsetSamples - middle * rate), RATE_VERIFY);
    return alignment && { rate, alignment };
  };
  const better = (a: TimedAlignment | undefined, b: TimedAlignment | undefined) => (a && (!b || covered(a) > covered(b)) ? a : b);
  let best: TimedAlignment | undefined;
  let bestIndex = -1;
  for (let index = 0; index < PLAYBACK_RATES.length; index += COARSE_STEP) {
    const tried = at(index);
    if (better(tried, best) !== best) [best, bestIndex] = [tried, index];
  }
  for (const step of [-2, -1, 1, 2]) best = better(at(bestIndex + step), best);
  return best && covered(best) >= covered(same) + MIN_GAIN ? best : same;
}

/**
 * A verdict judged on the stored video's clock, with the query's segment back on its own
 * clock; the offset is the one at the start of the segment (with a rate, it changes along it).
 */
export function onQueryClock(verdict: Verdict, rate: number): Verdict {
  if (rate === 1) return verdict;
  const round = (value: number) => Math.round(value * 100) / 100;
  const querySegment: [number, number] = [round(verdict.querySegment[0] / rate), round(verdict.querySegment[1] / rate)];
  return { ...verdict, querySegment, offsetSec: round(verdict.refSegment[0] - querySegment[0]) };
}
