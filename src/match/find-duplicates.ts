import type { FrameRegion, MatchEvidence, SharedSegment, StoredMatch } from "../domain/match.js";
import { audioProbes, compareSoundtracks, decodeAudioPrint, type AudioPrint } from "../fingerprint/audio-print.js";
import { decodeSignature, pictureSeconds, queryEntries, SAMPLE_RATE, type Signature } from "../fingerprint/signature.js";
import type { OffsetCandidate, VotingRule } from "../fingerprint/voting.js";
import { bestRate, MIN_RATE_SEARCH_SAMPLES, onQueryClock, retimings } from "../fingerprint/playback-rate.js";
import { moreAlignments, together } from "../fingerprint/more-segments.js";
import { sharedChanges, verifyOffset, type Alignment } from "../fingerprint/verify.js";
import { judgeAlignment, MIN_DISTINCT_PICTURES, WITH_AGREEING_SOUND, type JudgeContext, type Verdict } from "../fingerprint/verdict.js";
import { cropOfStrip } from "../fingerprint/centre-strip.js";
import type { StoredView } from "../fingerprint/stored-rows.js";
import type { SearchedSignatures } from "../fingerprint/fingerprint-builder.js";
import type { ProbeSet, ReferenceVideo, SignatureIndex } from "./signature-index.js";

export interface Duplicate {
  readonly reference: Pick<ReferenceVideo, "videoId" | "key">;
  readonly verdict: Verdict;
  /** Found through the query's mirror image: one video is the other flipped left to right. */
  readonly flipped: boolean;
  /** How fast the query plays the shared footage against the stored video (1.25: sped up by a quarter). */
  readonly rate: number;
  /** Found in this region of the query's frame (an inset, a caption layout, a vertical band); null: the whole frame. */
  readonly region: FrameRegion | null;
  /** The query's picture found in this region of the stored video's frame (its centre strip: a crop); null: the whole frame. */
  readonly otherRegion: FrameRegion | null;
  readonly evidence: MatchEvidence;
  /** Further footage shared at other alignments (same speed only), in the query's time order. */
  readonly moreSegments: readonly SharedSegment[];
}

/**
 * What is searched for: a video's signature (so far), that of its mirror image, those of the
 * regions of its frame another picture may fill, and a portrait frame's shifted pictures
 * (FingerprintBuilder.searched).
 */
export interface QueryFootage extends SearchedSignatures {
  readonly videoNum: number;
  readonly durationSec: number;
  /** How much of the video is decoded so far (an early verdict); default: all of it. */
  readonly decodedSec?: number;
  /** The soundtrack's print, once known (not while decoding); none: the picture's evidence only. */
  readonly audioPrint?: AudioPrint | null;
}

/**
 * Offsets are voted in 0.5 s bins; two votes make a candidate (crops and overlays leave few
 * keys); a key in more than 50 index rows (about as many videos: a still shot is stored once
 * a video) is on the stop-list.
 */
export const VOTING: VotingRule = { binSamples: SAMPLE_RATE / 2, minVotes: 2, stopAt: 50 };
/** Only the best-voted candidates are verified frame by frame. */
const MAX_CANDIDATES = 20;

/**
 * Finds stored videos that share footage with a video: candidates come only from the index
 * (never a scan), offset voting ranks them, and frame-by-frame verification decides. Every
 * view of the query is searched in the same query, voted apart: the picture; the mirror
 * image, for flipped copies, by its exact keys only (a flipped re-upload is rarely also
 * re-encoded heavily, and 1 lookup a key instead of 33 keeps that part cheap); each region
 * of the frame another picture may fill, with neighbours (a picture at a third of the frame
 * loses detail); a portrait upload's picture, as a crop of a stored landscape video's centre
 * strip (searchedViews). A video found more than one way is reported once, in that order.
 * Last, the soundtrack's keys (by exact key: an item a re-encode keeps) propose videos the
 * picture's keys did not meet (a compilation's fragment that is mostly one slow shot, an inset
 * too small for its keys); the picture verifies them at the offset the sound voted for, in
 * each view of the query that meets stored pictures. The sound alone never makes a match.
 */
export async function findDuplicates(index: SignatureIndex, footage: QueryFootage): Promise<Duplicate[]> {
  const views = searchedViews(footage);
  const heard: ProbeSet = { probes: footage.audioPrint ? audioProbes(footage.audioPrint) : [], neighbours: false, stored: "soundtrack" };
  const search = await index.findCandidates({
    excludeVideoNum: footage.videoNum,
    sets: [...views.map((view) => ({ probes: queryEntries(view.signature), neighbours: view.neighbours, stored: view.stored })), heard],
    rule: VOTING,
    maxCandidates: MAX_CANDIDATES,
  });
  const nums = search.candidates.flat().map((c) => c.videoNum);
  const references = new Map((await index.loadReferences([...new Set(nums)])).map((r) => [r.videoNum, r]));
  const found = new Map<string, Duplicate>();
  const report = (duplicates: readonly Duplicate[]) => {
    for (const duplicate of duplicates) if (!found.has(duplicate.reference.videoId)) found.set(duplicate.reference.videoId, duplicate);
  };
  views.forEach((view, i) => report(verified(footage, view, search.candidates[i]!, references)));
  const heardOnly = search.candidates[views.length]!.filter((c) => !found.has(references.get(c.videoNum)?.videoId ?? ""));
  for (const view of views.filter((v) => v.stored === "picture")) report(verified(footage, view, heardOnly, references));
  return [...found.values()];
}

/** One way the query is searched: which of its signatures, against which stored rows. */
export interface SearchedView {
  readonly signature: Signature;
  readonly neighbours: boolean;
  readonly flipped: boolean;
  readonly region: FrameRegion | null;
  readonly stored: StoredView;
  /** Against centre strips: how far off centre (CROP_SHIFTS) the query's picture was taken. */
  readonly shift: number;
}

/**
 * In the order a video found more than one way is reported by: the picture, the regions, the
 * picture as a crop of a stored centre strip (a portrait upload: as it is, with neighbours, as
 * the picture is looked up anyway; then shifted, by exact keys), the mirror image.
 */
export function searchedViews(footage: QueryFootage): SearchedView[] {
  const plain = { neighbours: true, flipped: false, region: null, stored: "picture", shift: 0 } as const;
  const { crops = [] } = footage;
  const asCrop = crops.length > 0 ? [{ ...plain, signature: footage.signature, stored: "centre-strip" as const }] : [];
  return [
    { ...plain, signature: footage.signature },
    ...footage.regions.map(({ region, signature }) => ({ ...plain, signature, region })),
    ...asCrop,
    ...crops.map(({ shift, signature }) => ({ ...plain, signature, neighbours: false, stored: "centre-strip" as const, shift })),
    { ...plain, signature: footage.mirrored, neighbours: false, flipped: true },
  ];
}

/** Most of the query's changes, and at least MIN_DISTINCT_PICTURES, made by the stored video too. */
const changesTogether = ({ changes, shared }: { changes: number; shared: number }) =>
  shared >= MIN_DISTINCT_PICTURES && shared >= changes / 2;

function verified(
  footage: QueryFootage,
  view: SearchedView,
  candidates: readonly OffsetCandidate[],
  references: ReadonlyMap<number, ReferenceVideo>,
): Duplicate[] {
  const { signature, flipped, region, stored, shift } = view;
  // Where a still layout fills most of the query's frame, its whole frame agrees with any
  // video in that layout: there, the pictures must also change together, most of the time.
  const stillLayout = region === null && footage.regions.some((r) => r.stillAround);
  const { durationSec, decodedSec = durationSec } = footage;
  // Coverage is measured over footage with a picture: black, fades and flat cards can never
  // match, so they must not make a whole copy look like a fragment. (While decoding, the
  // query's total is not known yet and its duration stands in.)
  const finished = decodedSec >= durationSec;
  const queryPictureSec = finished ? pictureSeconds(signature, durationSec) : durationSec;
  const retimedQuery = retimings(signature);
  const duplicates: Duplicate[] = [];
  for (const candidate of candidates) {
    const reference = references.get(candidate.videoNum);
    const storedSignature = stored === "centre-strip" ? reference?.stripSignature : reference?.signature;
    if (!reference || !storedSignature) continue;
    const refSignature = decodeSignature(storedSignature);
    const sharesChanges = (aligned: Alignment) => !stillLayout || changesTogether(sharedChanges(signature, refSignature, aligned));
    const found = verifyOffset(signature, refSignature, candidate.offsetSamples);
    if (!found || !sharesChanges(found)) continue;
    // A copy re-timed to another speed agrees for a while at each offset it drifts through:
    // enough agreement at rate 1 is worth trying the other rates.
    const { rate, alignment } =
      found.matchedSamples >= MIN_RATE_SEARCH_SAMPLES ? bestRate(retimedQuery, refSignature, found) : { rate: 1, alignment: found };
    // Judged on the stored video's clock, where the query lasts `rate` times as long.
    const clock = {
      queryDurationSec: durationSec * rate,
      refDurationSec: reference.durationSec,
      queryPictureSec: queryPictureSec * rate,
      refPictureSec: pictureSeconds(refSignature, reference.durationSec),
      decodedSec: decodedSec * rate,
    };
    const judgedAt = (aligned: Alignment) => {
      const judge = (relaxed?: Relaxed) => {
        const verdict = judgeAlignment(aligned, { ...clock, ...relaxed });
        return verdict && onQueryClock(verdict, rate);
      };
      return withSoundtrack(judge, footage.audioPrint, reference.audioPrint, rate);
    };
    const judged = judgedAt(alignment);
    if (!judged) continue;
    // Other alignments are looked for at the same speed only; each must make a match on its own.
    const more = rate === 1 ? moreAlignments(signature, refSignature, alignment, (a) => (sharesChanges(a) ? judgedAt(a) : undefined)) : [];
    const moreSegments = more.map(({ judged: { verdict } }) => ({ segment: verdict.querySegment, otherSegment: verdict.refSegment }));
    // Kind and score count all the footage the pair shares (a compilation that uses a video twice).
    const overall =
      more.length > 0
        ? judgeAlignment(
            together(
              alignment,
              more.map((m) => m.alignment),
              refSignature,
            ),
            clock,
          )
        : undefined;
    const verdict = overall ? { ...judged.verdict, kind: overall.kind, score: overall.score } : judged.verdict;
    duplicates.push({
      reference: { videoId: reference.videoId, key: reference.key },
      ...judged,
      verdict,
      flipped,
      rate,
      region,
      otherRegion: stored === "centre-strip" ? cropOfStrip(reference.aspect, shift) : null,
      moreSegments,
    });
  }
  return duplicates;
}

/** The judgement's bars as the soundtrack may lower them (WITH_AGREEING_SOUND). */
type Relaxed = Pick<JudgeContext, "minMatchedSec" | "minDensity">;

/**
 * The picture's verdict and what the soundtracks say along it ("both" where they agree,
 * compareSoundtracks). Weaker picture evidence (WITH_AGREEING_SOUND: shorter shared footage,
 * fewer agreeing samples) counts only where the soundtracks agree along it.
 */
function withSoundtrack(
  judge: (relaxed?: Relaxed) => Verdict | undefined,
  queryPrint: AudioPrint | null | undefined,
  refPrint: Uint8Array | null,
  rate: number,
): { verdict: Verdict; evidence: MatchEvidence } | undefined {
  const agrees = (shared: Verdict) =>
    !!queryPrint && !!refPrint && compareSoundtracks(queryPrint, decodeAudioPrint(refPrint), { ...shared, rate }) === "agrees";
  const verdict = judge();
  if (verdict) return { verdict, evidence: agrees(verdict) ? "both" : "picture" };
  const short = queryPrint && refPrint ? judge(WITH_AGREEING_SOUND) : undefined;
  return short && agrees(short) ? { verdict: short, evidence: "both" } : undefined;
}

/** A duplicate as the query video stores it. */
export function toStoredMatch(duplicate: Duplicate): StoredMatch {
  const { verdict } = duplicate;
  return {
    otherVideoId: duplicate.reference.videoId,
    score: verdict.score,
    kind: verdict.kind,
    offsetSec: verdict.offsetSec,
    segment: verdict.querySegment,
    otherSegment: verdict.refSegment,
    moreSegments: duplicate.moreSegments,
    flipped: duplicate.flipped,
    rate: duplicate.rate,
    region: duplicate.region,
    otherRegion: duplicate.otherRegion,
    evidence: duplicate.evidence,
  };
}
