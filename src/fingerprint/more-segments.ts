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

/** The stretches of [0, length) that no taken segment holds, long enough to search. */
function freeStretches(taken: readonly (readonly [number, number])[], length: number): [number, number][] {
  const sorted = [...taken].sort((a, b) => a[0] - b[0]);
  const free: [number, number][] = [];
  let from = 0;
  for (const [start, end] of sorted) {
    if (start - from >= MIN_STRETCH) free.push([from, start]);
    from = Math.max(from, end);
  }
  if (length - from >= MIN_STRETCH) free.push([from, length]);
  return free;
}

/**
 * Further alignments of `query` with `ref`, each inside query samples that no found alignment
 * holds: at the found offset again (past a gap of other footage), then at each of the other
 * offsets the voting peaked at. Each is kept only if `judge` makes something of it (the same
 * bar as any match); in the query's time order. Only a found alignment's leftovers are
 * searched, so a whole copy costs nothing here.
 */
export function moreAlignments<V>(
  query: Signature,
  ref: Signature,
  found: Alignment,
  otherOffsets: readonly number[],
  judge: (alignment: Alignment) => V | undefined,
): { alignment: Alignment; judged: V }[] {
  const more: { alignment: Alignment; judged: V }[] = [];
  const taken = (): [number, number][] => [found, ...more.map((m) => m.alignment)].map((a) => [a.queryStart, a.queryEnd]);
  for (const offset of [found.offsetSamples, ...otherOffsets]) {
    for (const [from, to] of freeStretches(taken(), query.length)) {
      if (more.length >= MAX_MORE_SEGMENTS) break;
      // Verified on the stretch alone, so the alignment can neither reach into a taken segment nor borrow its samples.
      const part = verifyOffset(query.slice(from, to), ref, offset + from);
      const alignment = part && {
        ...part,
        offsetSamples: part.offsetSamples - from,
        queryStart: part.queryStart + from,
        queryEnd: part.queryEnd + from,
      };
      const judged = alignment && judge(alignment);
      if (alignment && judged !== undefined) more.push({ alignment, judged });
    }
  }
  return more.sort((a, b) => a.alignment.queryStart - b.alignment.queryStart);
}
