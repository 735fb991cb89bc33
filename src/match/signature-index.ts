import type { IndexEntry } from "../fingerprint/signature.js";
import type { OffsetCandidate, VotingRule } from "../fingerprint/voting.js";

/**
 * A query against the index: its probes (a key and the query sample it came from; each key is
 * looked up with its one-bit neighbours, oneBitNeighbours), probes looked up by their own key
 * only (1 lookup a key instead of 33: the mirror image's), and the voting rule. The two sets
 * are voted apart, in one search.
 */
export interface CandidateQuery {
  readonly excludeVideoNum: number;
  readonly probes: readonly IndexEntry[];
  readonly exactProbes: readonly IndexEntry[];
  readonly rule: VotingRule;
  /** At most this many candidates of each set, best first. */
  readonly maxCandidates: number;
}

export interface CandidateSearch {
  /** Candidates as voteOffsets ranks them over the probes' hits. */
  readonly candidates: OffsetCandidate[];
  /** The same over the exact probes' hits. */
  readonly exactCandidates: OffsetCandidate[];
  /** Probed keys found to hold more than `rule.stopAt` rows: now on the stop-list. */
  readonly frequentKeys: number[];
  /** Index rows the search read (a measure of its cost; none of them left the store). */
  readonly rowsRead: number;
}

/** The matcher's port onto stored fingerprints (FrameIndex in production). */
export interface SignatureIndex {
  /**
   * Votes over the probes' hits on other videos, in the store: only candidates come back.
   * Keys on the stop-list (more than `rule.stopAt` rows) are skipped; keys found over it are
   * added to it.
   */
  findCandidates(query: CandidateQuery): Promise<CandidateSearch>;
  /** The stored signatures of the given videos (those that have one). */
  loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]>;
}

/** A stored video as the matcher needs it. */
export interface ReferenceVideo {
  readonly videoId: string;
  readonly videoNum: number;
  readonly key: string;
  readonly durationSec: number;
  readonly signature: Uint8Array;
}
