/** The matcher's port onto stored fingerprints (FingerprintStore in production). */
export interface SignatureIndex {
  /**
   * Index rows of other videos under the given keys, at most `perKeyLimit` a key: a key found
   * in very many videos (black frames, a common intro) says nothing.
   */
  lookupIndex(excludeVideoNum: number, keys: readonly number[], perKeyLimit: number): Promise<IndexRow[]>;
  /** The stored signatures of the given videos (those that have one). */
  loadReferences(videoNums: readonly number[]): Promise<ReferenceVideo[]>;
}

export interface IndexRow {
  readonly key: number;
  readonly videoNum: number;
  readonly sample: number;
}

/** A stored video as the matcher needs it. */
export interface ReferenceVideo {
  readonly videoId: string;
  readonly videoNum: number;
  readonly key: string;
  readonly durationSec: number;
  readonly signature: Uint8Array;
}
