import { hammingDistance, SAME_PICTURE_BITS } from "./frame-hash.js";
import { MIN_EVIDENCE_SEC } from "./verdict.js";
import { SAMPLE_RATE, type Signature } from "./signature.js";
import { verifyOffset, type Alignment } from "./verify.js";

/**
 * Footage a pair shares besides its found alignment: a compilation that uses a video twice,
 * or two parts of it out of order; a copy whose middle was replaced. Pure.
 */

/** Segments listed besides the found one, at most. */
export const MAX_MORE_SEGMENTS = 4;
/** Stretches of the query shorter than this cannot hold a segment that counts (MIN_EVIDENCE_SEC). */
const MIN_STRETCH = MIN_EVIDENCE_SEC * SAMPLE_RATE;
/** Offsets verified per stretch besides the found one, most agreeing samples first. */
const OFFSETS_PER_STRETCH = 3;
/** Sample pairs one stretch's offset count may compare: longer stretches are read every few samples. */
const MAX_COMPARISONS = 4_000_000;

/**
 * The offsets at which most samples of query[from, to) show the same picture as the stored
 * video, best first, at least a second apart. Every pair of samples is compared, so the
 * count does not depend on which keys the index holds or has stop-listed (a shared scene
 * that many videos show).
 */
export function agreeingOffsets(query: Signature, ref: Signature, from: number, to: number): number[] {
  const stride = Math.max(1, Math.ceil(((to - from) * ref.length) / MAX_COMPARISONS));
  // counts[offset + to] for offset = r − q in (−to, ref.length − from)
  const counts = new Uint32Array(ref.length + to);
  for (let q = from; q < to; q += stride) {
    const picture = query[q];
    if (!picture) continue;
    for (let r = 0; r < ref.length; r += 1) {
      const other = ref[r];
      if (other && hammingDistance(picture, other) <= SAME_PICTURE_BITS) counts[r - q + to]! += 1;
    }
  }
  const ranked = [...counts.keys()].filter((i) => counts[i]! >= 2).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const chosen: number[] = [];
  for (const i of ranked) {
    if (chosen.length >= OFFSETS_PER_STRETCH) break;
    if (chosen.every((c) => Math.abs(c - i) >= SAMPLE_RATE)) chosen.push(i);
  }
  return chosen.map((i) => i - to);
}

/** The alignment of a stretch (the query's samples from `from` on) with the stored video near `offset`, in the query's samples. */
function alignedWithin(stretch: Signature, from: number, ref: Signature, offset: number): Alignment | undefined {
  // Verified on the stretch alone, so it can neither reach into a found segment nor borrow its samples.
  const part = verifyOffset(stretch, ref, offset + from);
  return part && { ...part, offsetSamples: part.offsetSamples - from, queryStart: part.queryStart + from, queryEnd: part.queryEnd + from };
}

/**
 * Further alignments of `query` with `ref`, each inside a stretch of query samples that no
 * found alignment holds: at the found offset again (past a gap of other footage), then at the
 * offsets where most of the stretch's samples agree (agreeingOffsets). Each is kept only if
 * `judge` makes something of it (the same bar as any match), and the stretch's rest on either
 * side is searched in turn; in the query's time order. Only a found alignment's leftovers
 * are searched, so a whole copy costs nothing here.
 */
export function moreAlignments<V>(
  query: Signature,
  ref: Signature,
  found: Alignment,
  judge: (alignment: Alignment) => V | undefined,
): { alignment: Alignment; judged: V }[] {
  const more: { alignment: Alignment; judged: V }[] = [];
  const stretches: [number, number][] = [
    [0, found.queryStart],
    [found.queryEnd, query.length],
  ];
  for (let next = stretches.pop(); next && more.length < MAX_MORE_SEGMENTS; next = stretches.pop()) {
    const [from, to] = next;
    if (to - from < MIN_STRETCH) continue;
    const stretch = query.slice(from, to);
    for (const offset of [found.offsetSamples, ...agreeingOffsets(query, ref, from, to)]) {
      const alignment = alignedWithin(stretch, from, ref, offset);
      const judged = alignment && judge(alignment);
      if (!alignment || judged === undefined) continue;
      more.push({ alignment, judged });
      stretches.push([from, alignment.queryStart], [alignment.queryEnd, to]);
      break;
    }
  }
  return more.sort((a, b) => a.alignment.queryStart - b.alignment.queryStart);
}

/**
 * One alignment standing for a found one and its further ones, for the kind and score of the
 * pair's verdict: their samples and pictures add up (their query stretches never overlap), and
 * the stored video's pictures count once where two segments use the same footage. The
 * segment and offset stay the found one's.
 */
export function together(found: Alignment, more: readonly Alignment[], ref: Signature): Alignment {
  const all = [found, ...more];
  const sum = (value: (alignment: Alignment) => number) => all.reduce((total, alignment) => total + value(alignment), 0);
  const matchedSamples = sum((a) => a.matchedSamples);
  const refPictures = new Set<number>();
  for (const { queryStart, queryEnd, offsetSamples } of all) {
    for (let r = queryStart + offsetSamples; r < queryEnd + offsetSamples; r += 1) if (ref[r]) refPictures.add(r);
  }
  return {
    ...found,
    matchedSamples,
    comparedSamples: sum((a) => a.comparedSamples),
    meanDistance: sum((a) => a.meanDistance * a.matchedSamples) / matchedSamples,
    exactMeanDistance: sum((a) => a.exactMeanDistance * a.matchedSamples) / matchedSamples,
    distinctPictures: sum((a) => a.distinctPictures),
    queryPictureSamples: sum((a) => a.queryPictureSamples),
    refPictureSamples: refPictures.size,
  };
}
