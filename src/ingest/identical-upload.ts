import type { Logger } from "pino";
import type { StoredMatch } from "../domain/match.js";
import type { ObjectHead } from "../objects/object-store.js";
import type { ScratchDir } from "../media/scratch-dir.js";
import type { IdenticalVideos, JobLease } from "./ports.js";

/**
 * What is known of identical bytes before the download. An ETag is an MD5 (or an MD5 of part
 * MD5s), and MD5 collisions are cheap: equal ETags and sizes are a *provisional* answer only,
 * stored at once as an early `identical` verdict and confirmed or withdrawn by the SHA-256 of
 * the download. A SHA-256 that S3 itself holds (x-amz-checksum-sha256, given by the uploader)
 * is proof: the copy is answered with no download.
 */
export interface KnownIdentical {
  /** A finished video with the same SHA-256: the answer, with no download. */
  readonly confirmed: string | undefined;
  /** Withdraws the provisional verdict unless the download's SHA-256 named the same original. */
  settle(sameContentId: string | undefined): Promise<void>;
}

export async function knownIdentical(identical: IdenticalVideos, job: JobLease, head: ObjectHead, log: Logger): Promise<KnownIdentical> {
  const bySha = head.sha256 ? await identical.findIdenticalContent(head.sha256, job.videoId) : undefined;
  if (bySha) return { confirmed: bySha.videoId, settle: async () => {} };
  const byEtag = head.etag ? await identical.findIdenticalUpload(head.etag, head.sizeBytes, job.videoId) : undefined;
  if (byEtag) {
    await job.saveMatches([identicalMatch(byEtag.videoId, byEtag.durationSec)]);
    log.info(
      { event: "job.early_verdict", identicalTo: byEtag.videoId, knownBy: "etag" },
      "early verdict: same ETag and size as a stored video (confirmed by SHA-256 after the download)",
    );
  }
  return {
    confirmed: undefined,
    async settle(sameContentId) {
      if (!byEtag || byEtag.videoId === sameContentId) return;
      await job.deleteMatches([byEtag.videoId]);
      log.warn(
        { event: "job.etag_collision", etagMatched: byEtag.videoId },
        "same ETag and size as a stored video, other bytes (SHA-256): the early verdict is withdrawn",
      );
    },
  };
}

/** The match of a byte-identical copy: the whole of both videos, at offset 0. */
function identicalMatch(originalId: string, durationSec: number | null): StoredMatch {
  const whole: [number, number] = [0, durationSec ?? 0];
  return {
    otherVideoId: originalId,
    score: 1,
    kind: "identical",
    offsetSec: 0,
    segment: whole,
    otherSegment: whole,
    moreSegments: [],
    flipped: false,
    region: null,
    otherRegion: null,
    rate: 1,
    evidence: "picture",
  };
}

/** Finishes a byte-identical copy from its original's analysis, with no decode. */
export async function answerIdentical(
  job: JobLease,
  scratch: ScratchDir,
  originalId: string,
  knownBy: "checksum-sha256" | "sha256",
  log: Logger,
): Promise<void> {
  await scratch.remove();
  const { durationSec } = await job.copyAnalysis(originalId);
  const { group } = await job.saveFinalMatches([identicalMatch(originalId, durationSec)]);
  // The same footage has the same other duplicates: the original's, with its offsets (not
  // the other copies in its group: copies are reported against the original, not each other).
  await job.copyMatches(originalId);
  await job.finish();
  log.info({ event: "job.done", status: "done", identicalTo: originalId, knownBy, group }, "job done: byte-identical to a stored video");
}
