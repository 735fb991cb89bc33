/**
 * Offset voting: a copy shares many hash hits with its source at one time offset, while
 * coincidental hits scatter over many offsets. Pure.
 */
export interface IndexHit {
  readonly videoNum: number;
  /** Sample index in the stored video. */
  readonly refSample: number;
  /** Sample index in the query video. */
  readonly querySample: number;
}

export interface OffsetCandidate {
  readonly videoNum: number;
  /** refSample − querySample at the peak. */
  readonly offsetSamples: number;
  /** Distinct query samples that voted for the peak (± one bin). */
  readonly votes: number;
}

/**
 * For each video, the offset (in samples, binned by `binSamples`) backed by the most
 * distinct query samples, counting the two neighbouring bins so a peak split across a bin
 * edge is not halved. Returns candidates with at least `minVotes`, best first.
 */
export function voteOffsets(hits: Iterable<IndexHit>, options: { binSamples: number; minVotes: number }): OffsetCandidate[] {
  const perVideo = new Map<number, Map<number, Set<number>>>();
  for (const hit of hits) {
    const bin = Math.round((hit.refSample - hit.querySample) / options.binSamples);
    let bins = perVideo.get(hit.videoNum);
    if (!bins) perVideo.set(hit.videoNum, (bins = new Map<number, Set<number>>()));
    let voters = bins.get(bin);
    if (!voters) bins.set(bin, (voters = new Set()));
    voters.add(hit.querySample);
  }
  const candidates: OffsetCandidate[] = [];
  for (const [videoNum, bins] of perVideo) {
    let best: OffsetCandidate | undefined;
    for (const bin of bins.keys()) {
      const voters = new Set<number>();
      for (const b of [bin - 1, bin, bin + 1]) for (const q of bins.get(b) ?? []) voters.add(q);
      if (!best || voters.size > best.votes) best = { videoNum, offsetSamples: bin * options.binSamples, votes: voters.size };
    }
    if (best && best.votes >= options.minVotes) candidates.push(best);
  }
  return candidates.sort((a, b) => b.votes - a.votes);
}
