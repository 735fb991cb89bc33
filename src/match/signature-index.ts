import type { IndexEntry } from "../fingerprint/signature.js";
import type { StoredView } from "../fingerprint/stored-rows.js";
import type { OffsetCandidate, VotingRule } from "../fingerprint/voting.js";

/**
 * Keys of one view of the query (the picture, its mirror image, a picture found inside the
 * frame), each with the query sample it came from, voted apart from the other views'. With
 * `neighbours`, each key is also looked up with its one-bit neighbours (oneBitNeighbours: 33
 * lookups a key, for heavy re-encodes); without, by itself only.
 */
export interface ProbeSet {
  readonly probes: readonly IndexEntry[];
  readonly neighbours: boolean;
  /** Which stored rows the set meets: the pictures' (default), the centre strips' or the soundtracks' (stored-rows.ts). */
  readonly stored?: StoredView;
}

/** A query against the index: its probe sets, searched at once, and the voting rule. */
export interface CandidateQuery {
  readonly excludeVideoNum: number;
  readonly sets: readonly ProbeSet[];
  readonly rule: VotingRule;
  /** At most this many candidates of each set, best first. */
  readonly maxCandidates: number;
}

export interface CandidateSearch {
  /** For each probe set, in order, the candidates voteOffsets ranks over its hits. */
  readonly candidates: OffsetCandidate[][];
  /** Probed keys found to hold more than `rule.stopAt` rows: now on the stop-list. */
  readonly frequentKeys: number[];
  /** Index rows the search read (a measure of its cost). */
  readonly rowsRead: number;
  /** Of those, the rows that left the store: those of videos past the first cut (the voting's input). */
  readonly rowsReturned: number;
}

/** The matcher's port onto stored fingerprints (FrameIndex in production). */
export interface SignatureIndex {
  /**
   * Votes over the probes' hits on other videos. The store makes the voting's first cut, so
   * only the rows of videos hit through at least `rule.minVotes` of their rows leave it.
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
  /** The centre strip's signature (a landscape video); null: none. */
  readonly stripSignature: Uint8Array | null;
  /** The frame's width over its height (from the probe); null: not known. */
  readonly aspect: number | null;
  /** The soundtrack's print (AudioPrint's stored form); null: no audio. */
  readonly audioPrint: Uint8Array | null;
}
