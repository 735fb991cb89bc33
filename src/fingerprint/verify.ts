import { hammingDistance, SAME_PICTURE_BITS, type Hash64 } from "./frame-hash.js";
import { SAMPLE_RATE, type Signature } from "./signature.js";

/**
 * Checks a voted offset frame by frame: the query's samples are compared with the stored
 * video's samples at that offset, and the longest run of agreeing pictures becomes the
 * matched segment. This is what turns "many hash hits" into "the same footage". Pure.
 */
export interface VerifyOptions {
  /** Two frames are the same picture at or below this Hamming distance (of 63 bits). */
  readonly maxDistance: number;
  /**
   * Most disagreeing samples in a row inside one segment. Samples without a picture on
   * either side (black, fades) neither agree nor disagree: they do not end a segment.
   */
  readonly maxGapSamples: number;
  /** Search the voted offset ± this many samples for the best alignment. */
  readonly searchSamples: number;
}

// Votes are binned in 0.5 s and neighbouring bins are counted, so the true offset can lie a
// second away from the voted one: the search must cover that.
export const DEFAULT_VERIFY: VerifyOptions = { maxDistance: SAME_PICTURE_BITS, maxGapSamples: 3 * SAMPLE_RATE, searchSamples: SAMPLE_RATE };

export interface Alignment {
  /** refSample − querySample. */
  readonly offsetSamples: number;
  /** Matched segment in query samples, end exclusive. */
  readonly queryStart: number;
  readonly queryEnd: number;
  readonly matchedSamples: number;
  /** Samples with a picture on both sides inside the segment. */
  readonly comparedSamples: number;
  /** Distinct pictures among the matched samples (a still title card counts once). */
  readonly distinctPictures: number;
  readonly meanDistance: number;
  /** Mean distance at exactly the offset (no ±1 probing): breaks ties between neighbouring offsets. */
  readonly exactMeanDistance: number;
  /** Samples with a picture inside the segment, in the query and in the stored video. */
  readonly queryPictureSamples: number;
  readonly refPictureSamples: number;
}

type Segment = Omit<Alignment, "distinctPictures" | "queryPictureSamples" | "refPictureSamples">;

/** A column's entry where the query or the stored video has no picture at that sample. */
const NO_PAIR = 255;

/**
 * The distance between each query sample and the stored sample `offset` further, one column
 * per offset, each computed once: an offset's samples are compared with the stored side at
 * ±1, so neighbouring offsets share their columns.
 */
function distanceColumns(query: Signature, ref: Signature): (offset: number) => Uint8Array {
  const columns = new Map<number, Uint8Array>();
  return (offset) => {
    let column = columns.get(offset);
    if (!column) {
      column = new Uint8Array(query.length).fill(NO_PAIR);
      for (let q = Math.max(0, -offset); q < Math.min(query.length, ref.length - offset); q += 1) {
        const hash = query[q];
        const other = ref[q + offset];
        if (hash && other) column[q] = hammingDistance(hash, other);
      }
      columns.set(offset, column);
    }
    return column;
  };
}

/**
 * Each query sample's distance to the closest of the stored samples at offset ± 1 (copies at
 * other frame rates sample other frames); NO_PAIR where there is no picture to compare.
 */
function nearColumn(columns: (offset: number) => Uint8Array, offset: number): Uint8Array {
  const [before, at, after] = [columns(offset - 1), columns(offset), columns(offset + 1)];
  const near = new Uint8Array(at.length);
  for (let q = 0; q < near.length; q += 1) near[q] = Math.min(before[q]!, at[q]!, after[q]!);
  return near;
}

function bestSegmentAt(columns: (offset: number) => Uint8Array, offset: number, options: VerifyOptions): Segment | undefined {
  const exact = columns(offset);
  const near = nearColumn(columns, offset);
  let best: Segment | undefined;
  let start = -1;
  let lastMatch = -1;
  let disagreeing = 0;
  let matched = 0;
  let compared = 0;
  let comparedAtLastMatch = 0;
  let distanceSum = 0;
  let exactSum = 0;
  const close = () => {
    if (matched > 0 && (!best || matched > best.matchedSamples)) {
      best = {
        offsetSamples: offset,
        queryStart: start,
        queryEnd: lastMatch + 1,
        matchedSamples: matched,
        comparedSamples: comparedAtLastMatch,
        meanDistance: distanceSum / matched,
        exactMeanDistance: exactSum / matched,
      };
    }
    start = -1;
    matched = compared = comparedAtLastMatch = distanceSum = exactSum = 0;
  };
  for (let q = 0; q < near.length; q += 1) {
    const d = near[q]!;
    if (d === NO_PAIR) continue;
    if (d <= options.maxDistance) {
      if (start < 0) start = q;
      compared += 1;
      matched += 1;
      distanceSum += d;
      exactSum += exact[q] === NO_PAIR ? 64 : exact[q]!;
      lastMatch = q;
      disagreeing = 0;
      comparedAtLastMatch = compared;
    } else if (start >= 0) {
      disagreeing += 1;
      if (disagreeing > options.maxGapSamples) {
        close();
        disagreeing = 0;
      } else compared += 1;
    }
  }
  close();
  return best;
}

/** The best matched segment near the voted offset, or undefined when nothing agrees. */
export function verifyOffset(
  query: Signature,
  ref: Signature,
  votedOffset: number,
  options: VerifyOptions = DEFAULT_VERIFY,
): Alignment | undefined {
  const columns = distanceColumns(query, ref);
  let best: Segment | undefined;
  for (let delta = -options.searchSamples; delta <= options.searchSamples; delta += 1) {
    const candidate = bestSegmentAt(columns, votedOffset + delta, options);
    if (candidate && (!best || isBetter(candidate, best))) best = candidate;
  }
  // In slow footage a sparse index's votes can peak further off than the search reaches:
  // from an edge, the search follows the alignment for as long as it keeps getting better.
  for (const step of [-1, 1]) {
    let edge = votedOffset + step * options.searchSamples;
    while (best && best.offsetSamples === edge) {
      edge += step;
      const further = bestSegmentAt(columns, edge, options);
      if (further && isBetter(further, best)) best = further;
    }
  }
  return best && withEdgesWithoutPicture(query, ref, { ...best, distinctPictures: distinctPictures(query, columns, best, options) });
}

function neitherHasPicture(query: Signature, ref: Signature, q: number, offset: number): boolean {
  return !query[q] && !ref[q + offset];
}

function picturesIn(signature: Signature, from: number, to: number): number {
  let count = 0;
  for (let i = Math.max(0, from); i < Math.min(signature.length, to); i += 1) if (signature[i]) count += 1;
  return count;
}

/** Pictures further apart than this (bits of 64) are distinct pictures, and a picture that moves this far has changed. */
const DISTINCT_PICTURE_BITS = 6;

/**
 * How the query's picture changes inside an alignment, and how many of those changes the
 * stored video makes at the same moment: agreeing samples (at the exact offset) whose picture
 * moved more than DISTINCT_PICTURE_BITS since the last agreeing one. Two videos that share
 * only a still layout (a reaction channel's frame around other insets) agree sample after
 * sample, but each changes when its own inset does: at other moments, save by chance.
 */
export function sharedChanges(query: Signature, ref: Signature, alignment: Alignment): { changes: number; shared: number } {
  let last: { q: Hash64; r: Hash64 } | undefined;
  let changes = 0;
  let shared = 0;
  for (let q = alignment.queryStart; q < alignment.queryEnd; q += 1) {
    const a = query[q];
    const b = ref[q + alignment.offsetSamples];
    if (!a || !b || hammingDistance(a, b) > SAME_PICTURE_BITS) continue;
    if (last && hammingDistance(a, last.q) > DISTINCT_PICTURE_BITS) {
      changes += 1;
      if (hammingDistance(b, last.r) > DISTINCT_PICTURE_BITS) shared += 1;
    }
    last = { q: a, r: b };
  }
  return { changes, shared };
}

/**
 * Distinct pictures among a segment's agreeing samples (a still title card counts once).
 * Counted for the chosen segment only: against every picture seen so far, it is the costly part.
 */
function distinctPictures(query: Signature, columns: (offset: number) => Uint8Array, segment: Segment, options: VerifyOptions): number {
  const pictures: Hash64[] = [];
  const near = nearColumn(columns, segment.offsetSamples);
  for (let q = segment.queryStart; q < segment.queryEnd; q += 1) {
    const hash = query[q];
    if (near[q]! > options.maxDistance || !hash) continue;
    if (!pictures.some((picture) => hammingDistance(picture, hash) <= DISTINCT_PICTURE_BITS)) pictures.push(hash);
  }
  return pictures.length;
}

/**
 * The segment grown over the seconds next to it where neither video has a picture (flat,
 * black or texture-only footage, evidence of nothing either way), as such seconds inside a
 * segment already are: a copy whose last scenes no hash can see is still aligned to its end.
 */
function withEdgesWithoutPicture(query: Signature, ref: Signature, segment: Segment & Pick<Alignment, "distinctPictures">): Alignment {
  const offset = segment.offsetSamples;
  const from = Math.max(0, -offset);
  const to = Math.min(query.length, ref.length - offset);
  let start = segment.queryStart;
  while (start > from && neitherHasPicture(query, ref, start - 1, offset)) start -= 1;
  let end = segment.queryEnd;
  while (end < to && neitherHasPicture(query, ref, end, offset)) end += 1;
  return {
    ...segment,
    queryStart: start,
    queryEnd: end,
    queryPictureSamples: picturesIn(query, start, end),
    refPictureSamples: picturesIn(ref, start + offset, end + offset),
  };
}

/** More matched samples wins; among equals, the alignment whose exact positions agree best. */
function isBetter(a: Segment, b: Segment): boolean {
  if (a.matchedSamples !== b.matchedSamples) return a.matchedSamples > b.matchedSamples;
  return a.exactMeanDistance < b.exactMeanDistance;
}
