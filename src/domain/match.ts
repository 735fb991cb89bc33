/** How two videos share footage, as the API reports it. */
export const MATCH_KINDS = ["identical", "near-duplicate", "partial"] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

/**
 * What a match rests on: the picture alone, or the picture with the soundtracks agreeing along
 * the same alignment. The soundtrack never makes a match by itself (shared music, silence, tones).
 */
export const MATCH_EVIDENCE = ["picture", "both"] as const;
export type MatchEvidence = (typeof MATCH_EVIDENCE)[number];

/** A whole copy: all of one video's footage is the other's (the copy is indexed through the original). */
export const isWholeCopy = (kind: MatchKind): boolean => kind === "identical" || kind === "near-duplicate";

/**
 * A rectangle of a video's frame, as shares of its width and height (x0, y0, x1, y1): where
 * the other video's picture was found when it fills only part of this one's frame (an inset,
 * a caption layout, a vertical repost's band).
 */
export type FrameRegion = readonly [x0: number, y0: number, x1: number, y1: number];

/** Footage two videos share at one alignment: where it is in this video and in the other. */
export interface SharedSegment {
  readonly segment: readonly [number, number];
  readonly otherSegment: readonly [number, number];
}

/** Shared segments in the order of this video's time, as a match lists them. */
export const inTimeOrder = (segments: SharedSegment[]): SharedSegment[] => segments.sort((a, b) => a.segment[0] - b.segment[0]);

/** One side of a pair of videos that share footage (stored for both sides). */
export interface StoredMatch {
  readonly otherVideoId: string;
  readonly score: number;
  readonly kind: MatchKind;
  /** Seconds to add to a time in this video to find it in the other. */
  readonly offsetSec: number;
  readonly segment: readonly [number, number];
  readonly otherSegment: readonly [number, number];
  /**
   * Further footage the two share at other alignments (a compilation that uses the other video
   * twice, two parts of it out of order), in this video's time order; empty for most pairs.
   */
  readonly moreSegments: readonly SharedSegment[];
  /** One video is the other mirrored (flipped left to right). */
  readonly flipped: boolean;
  /** How fast this video plays the shared footage against the other (1.25: sped up by a quarter; 1: same speed). */
  readonly rate: number;
  /** Where in this video's frame the other's picture is, when not the whole frame. */
  readonly region: FrameRegion | null;
  /** Where in the other video's frame this one's picture is, when not the whole frame. */
  readonly otherRegion: FrameRegion | null;
  readonly evidence: MatchEvidence;
}

/** The same match as the other video sees it. */
export function mirrorMatch(videoId: string, match: StoredMatch): StoredMatch {
  return {
    otherVideoId: videoId,
    score: match.score,
    kind: match.kind,
    offsetSec: -match.offsetSec,
    segment: match.otherSegment,
    otherSegment: match.segment,
    moreSegments: inTimeOrder(match.moreSegments.map(({ segment, otherSegment }) => ({ segment: otherSegment, otherSegment: segment }))),
    flipped: match.flipped,
    rate: Math.round(1e4 / match.rate) / 1e4,
    region: match.otherRegion,
    otherRegion: match.region,
    evidence: match.evidence,
  };
}

/** How many duplicates a status snapshot carries: the strongest; the rest are paged (GET /duplicates/:file). */
export const SNAPSHOT_DUPLICATES = 20;

/** Where a page of a video's duplicates ends: they are listed by score, strongest first, then by the other video's id. */
export interface DuplicatePosition {
  readonly score: number;
  readonly otherVideoId: string;
}
