/**
 * Offset voting: a copy shares many hash hits with its source at one time offset, while
 * coincidental hits scatter over many offsets. Pure: the index store makes the rule's first
 * cut in SQL (only rows of videos hit through `minVotes` of their rows leave the database)
 * and votes here over those rows (test/integration checks the result against this rule over
 * every row).
 */
export interface IndexHit {
  readonly videoNum: number;
  /** Sample index in the stored video. */
  readonly refSample: number;
  /** Sample index in the query video. */
  readonly querySample: number;
  /** Index rows under the hit's key: the rarer the key, the more its vote weighs. */
  readonly keyRows: number;
}

export interface OffsetCandidate {
  readonly videoNum: number;
  /** refSample − querySample at the peak. */
  readonly offsetSamples: number;
  /** Distinct query samples that voted for the peak (± one bin). */
  readonly votes: number;
  /** Those votes weighed by how rare their keys are: what candidates are ranked by. */
  readonly score: number;
  /** The first and the last query sample that voted for the peak: the stretch of the query it rests on. */
  readonly queryFirst: number;
  readonly queryLast: number;
}

export interface VotingRule {
  /** Offsets are voted in bins of this many samples. */
  readonly binSamples: number;
  /** Fewer votes than this at the peak: no candidate. */
  readonly minVotes: number;
  /** Keys with more index rows than this are on the stop-list: never looked up. */
  readonly stopAt: number;
}

/**
 * The weight of a vote through a key with `keyRows` rows: ln(1 + stopAt / rows), so a key
 * found once weighs ~4 (stopAt 50) and one about to be stopped ~0.7. A common intro or a
 * still shot found in many videos cannot outvote footage that only the source shares.
 */
function rarityWeight(keyRows: number, stopAt: number): number {
  return Math.log(1 + stopAt / Math.max(1, keyRows));
}

/** A score to 9 decimals: peaks compare at this precision, whatever order their weights were summed in. */
const toNine = (score: number): number => Math.round(score * 1e9);

/** The bin of an offset: floor(x + 0.5). */
function offsetBin(refSample: number, querySample: number, binSamples: number): number {
  return Math.floor((refSample - querySample) / binSamples + 0.5);
}

/**
 * Distinct stored samples hit, per video. A video hit through fewer than `minVotes` of its
 * rows is no candidate, however many query samples met them: one row met from several
 * moments of a still shot is one coincidence. (The database makes this its first cut, before
 * any vote is counted.)
 */
function storedRowsHit(hits: readonly IndexHit[]): Map<number, number> {
  const samples = new Map<number, Set<number>>();
  for (const hit of hits) {
    const seen = samples.get(hit.videoNum) ?? new Set<number>();
    samples.set(hit.videoNum, seen.add(hit.refSample));
  }
  return new Map([...samples].map(([videoNum, seen]) => [videoNum, seen.size]));
}

/**
 * For each video, the offset bin whose window (the bin and its two neighbours, so a peak
 * split across a bin edge is not halved) holds the highest score: the sum over distinct
 * query samples of their rarest key's weight. Every bin next to a hit is a possible peak.
 * Keeps peaks with at least `minVotes` voters, of videos hit through at least `minVotes` rows; best first (score, then votes, then lower
 * video and offset for a stable order). Scores equal to 9 decimals tie: the database returns the
 * same rows in any order, and the last bits of a float sum depend on it.
 */
export function voteOffsets(hits: Iterable<IndexHit>, rule: VotingRule): OffsetCandidate[] {
  const counted = [...hits].filter((hit) => hit.keyRows <= rule.stopAt);
  const evidence = storedRowsHit(counted);
  // video → window centre → query sample → its best weight in that window
  const perVideo = new Map<number, Map<number, Map<number, number>>>();
  for (const hit of counted) {
    if (evidence.get(hit.videoNum)! < rule.minVotes) continue;
    const bin = offsetBin(hit.refSample, hit.querySample, rule.binSamples);
    const weight = rarityWeight(hit.keyRows, rule.stopAt);
    let windows = perVideo.get(hit.videoNum);
    if (!windows) perVideo.set(hit.videoNum, (windows = new Map<number, Map<number, number>>()));
    for (const centre of [bin - 1, bin, bin + 1]) {
      let voters = windows.get(centre);
      if (!voters) windows.set(centre, (voters = new Map<number, number>()));
      voters.set(hit.querySample, Math.max(voters.get(hit.querySample) ?? 0, weight));
    }
  }
  const candidates: OffsetCandidate[] = [];
  for (const [videoNum, windows] of perVideo) {
    let best: { offsetSamples: number; score: number; voters: Map<number, number> } | undefined;
    for (const [centre, voters] of windows) {
      if (voters.size < rule.minVotes) continue;
      let score = 0;
      for (const w of voters.values()) score += w;
      const offsetSamples = centre * rule.binSamples;
      const [mine, theirs] = [toNine(score), best ? toNine(best.score) : -Infinity];
      if (mine > theirs || (mine === theirs && offsetSamples < best!.offsetSamples)) best = { offsetSamples, score, voters };
    }
    if (!best) continue;
    const samples = [...best.voters.keys()];
    const [queryFirst, queryLast] = [Math.min(...samples), Math.max(...samples)];
    candidates.push({ videoNum, offsetSamples: best.offsetSamples, votes: samples.length, score: best.score, queryFirst, queryLast });
  }
  return candidates.sort((a, b) => toNine(b.score) - toNine(a.score) || b.votes - a.votes || a.videoNum - b.videoNum);
}

/**
 * Of a stretch of the query, this many candidates are verified before any other video that
 * rests on the same stretch: a compilation's fragment of a video with many stored copies
 * would otherwise fill every place, and its other sources would never be verified.
 */
export const CANDIDATES_PER_STRETCH = 5;

/** At least half of `b`'s stretch of the query lies within `a`'s. */
function sameStretch(a: OffsetCandidate, b: OffsetCandidate): boolean {
  const overlap = Math.min(a.queryLast, b.queryLast) - Math.max(a.queryFirst, b.queryFirst) + 1;
  return 2 * overlap >= b.queryLast - b.queryFirst + 1;
}

/**
 * The `max` candidates to verify, best first: in rank order, except that a candidate whose
 * stretch of the query already has CANDIDATES_PER_STRETCH chosen waits until every other
 * stretch has had its turn. A query that rests on one stretch gets the same candidates as by
 * rank alone.
 */
export function chooseCandidates(ranked: readonly OffsetCandidate[], max: number): OffsetCandidate[] {
  const chosen: OffsetCandidate[] = [];
  const waiting: OffsetCandidate[] = [];
  for (const candidate of ranked) {
    if (chosen.length === max) break;
    const crowded = chosen.filter((c) => sameStretch(c, candidate)).length >= CANDIDATES_PER_STRETCH;
    (crowded ? waiting : chosen).push(candidate);
  }
  return [...chosen, ...waiting.slice(0, max - chosen.length)];
}

/** The candidates an index returns for one probe set: voted (voteOffsets), then chosen (chooseCandidates). */
export function topCandidates(hits: Iterable<IndexHit>, rule: VotingRule, max: number): OffsetCandidate[] {
  return chooseCandidates(voteOffsets(hits, rule), max);
}
