import type { Verdict } from "../fingerprint/verdict.js";
import { judgeAlignment } from "../fingerprint/verdict.js";
import { agreeingOffsets } from "../fingerprint/more-segments.js";
import { bestRate, MIN_RATE_SEARCH_SAMPLES, retimings } from "../fingerprint/playback-rate.js";
import { oneBitNeighbours, pictureSeconds, queryEntries, SAMPLE_RATE, type Signature } from "../fingerprint/signature.js";
import { verifyOffset } from "../fingerprint/verify.js";
import { voteOffsets, type IndexHit } from "../fingerprint/voting.js";
import { searchedViews, VOTING, type QueryFootage, type SearchedView } from "./find-duplicates.js";
import { storedRows } from "./memory-index.js";

/**
 * Why a query video does or does not match a stored one, step by step, for each view of the
 * query the matcher searches: how many of its keys meet the stored video's index rows, what
 * the voting makes of them, and, found by comparing the pictures themselves (whatever the
 * keys), the offsets where the two agree, each verified and judged as a match would be.
 * Pure: an operator's tool (npm run explain), not part of a search.
 */
export interface AlignmentReport {
  readonly offsetSec: number;
  readonly matchedSec: number;
  readonly distinctPictures: number;
  readonly density: number;
  /** The rate bestRate settles on (1 unless the copy is re-timed). */
  readonly rate: number;
  /** The judgement at rate 1; undefined: not a match there. */
  readonly verdict: Verdict | undefined;
}

export interface ViewReport {
  readonly view: string;
  /** Keys the view looks up (before one-bit neighbours). */
  readonly keys: number;
  /** Those that meet a stored row, by themselves or (where the view uses them) through a neighbour. */
  readonly keysHit: number;
  /** What the voting makes of the hits; undefined: fewer than VOTING.minVotes at any offset. */
  readonly candidate: { readonly offsetSec: number; readonly votes: number } | undefined;
  /** At the voted offset, then at the offsets where most pictures agree (agreeingOffsets). */
  readonly alignments: readonly AlignmentReport[];
}

export interface StoredVideo {
  readonly signature: Signature;
  /** Its centre strip's (a landscape video); null: none. */
  readonly stripSignature: Signature | null;
  readonly durationSec: number;
}

export function explainPair(stored: StoredVideo, query: QueryFootage): ViewReport[] {
  const picture = { rows: storedRows(stored.signature), against: stored.signature };
  const strip = stored.stripSignature && { rows: storedRows(stored.stripSignature), against: stored.stripSignature };
  // The views the matcher searches, each against the stored side it meets (none: no strip stored).
  const views = searchedViews(query).flatMap((view) => {
    const side = view.stored === "centre-strip" ? strip : picture;
    return side ? [{ ...view, ...side, view: viewName(view, query) }] : [];
  });
  return views.map(({ view, signature, neighbours, rows, against }) => {
    const probes = queryEntries(signature);
    const hits: IndexHit[] = [];
    let keysHit = 0;
    for (const probe of probes) {
      const found = (neighbours ? oneBitNeighbours(probe.key) : [probe.key]).flatMap((key) => rows.get(key) ?? []);
      if (found.length > 0) keysHit += 1;
      for (const sample of found) hits.push({ videoNum: 1, refSample: sample, querySample: probe.sample, keyRows: 1 });
    }
    const [voted] = voteOffsets(hits, VOTING);
    const offsets = [...new Set([...(voted ? [voted.offsetSamples] : []), ...agreeingOffsets(signature, against, 0, signature.length)])];
    const verified = new Set<number>();
    const rated = retimings(signature);
    return {
      view,
      keys: probes.length,
      keysHit,
      candidate: voted && { offsetSec: voted.offsetSamples / SAMPLE_RATE, votes: voted.votes },
      alignments: offsets.flatMap((offset) => {
        const alignment = verifyOffset(signature, against, offset);
        // Offsets a sample or two apart verify to the same alignment: it is reported once.
        if (!alignment || verified.has(alignment.offsetSamples)) return [];
        verified.add(alignment.offsetSamples);
        const timed = alignment.matchedSamples >= MIN_RATE_SEARCH_SAMPLES ? bestRate(rated, against, alignment).rate : 1;
        const verdict = judgeAlignment(alignment, {
          queryDurationSec: query.durationSec,
          refDurationSec: stored.durationSec,
          queryPictureSec: pictureSeconds(signature, query.durationSec),
          refPictureSec: pictureSeconds(against, stored.durationSec),
        });
        return [
          {
            offsetSec: alignment.offsetSamples / SAMPLE_RATE,
            matchedSec: alignment.queryPictureSamples / SAMPLE_RATE,
            distinctPictures: alignment.distinctPictures,
            density: alignment.matchedSamples / Math.max(1, alignment.comparedSamples),
            rate: timed,
            verdict,
          },
        ];
      }),
    };
  });
}

function viewName({ flipped, stored, shift, region }: SearchedView, query: QueryFootage): string {
  if (flipped) return "mirror image";
  if (stored === "centre-strip") return `as a crop of the centre strip, shifted ${shift}`;
  if (!region) return "picture";
  const stillAround = query.regions.find((r) => r.region === region)?.stillAround;
  return `region [${region.map((v) => v.toFixed(2)).join(", ")}]${stillAround ? " (still around it)" : ""}`;
}
