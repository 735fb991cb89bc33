/** How two videos share footage, as the API reports it. */
export const MATCH_KINDS = ["identical", "near-duplicate", "partial"] as const;
export type MatchKind = (typeof MATCH_KINDS)[number];

/** A whole copy: all of one video's footage is the other's (the copy is indexed through the original). */
export const isWholeCopy = (kind: MatchKind): boolean => kind === "identical" || kind === "near-duplicate";

/** One side of a pair of videos that share footage (stored for both sides). */
export interface StoredMatch {
  readonly otherVideoId: string;
  readonly score: number;
  readonly kind: MatchKind;
  /** Seconds to add to a time in this video to find it in the other. */
  readonly offsetSec: number;
  readonly segment: readonly [number, number];
  readonly otherSegment: readonly [number, number];
  /** One video is the other mirrored (flipped left to right). */
  readonly flipped: boolean;
  /** How fast this video plays the shared footage against the other (1.25: sped up by a quarter; 1: same speed). */
  readonly rate: number;
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
    flipped: match.flipped,
    rate: Math.round(1e4 / match.rate) / 1e4,
  };
}

/** How many duplicates a status snapshot carries: the strongest; the rest are paged (GET /duplicates/:file). */
export const SNAPSHOT_DUPLICATES = 20;

/** Where a page of a video's duplicates ends: they are listed by score, strongest first, then by the other video's id. */
export interface DuplicatePosition {
  readonly score: number;
  readonly otherVideoId: string;
}
