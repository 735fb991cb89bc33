import type { Logger } from "pino";
import type { MediaInfo } from "../domain/media-info.js";
import { describeError } from "../domain/errors.js";
import { FingerprintBuilder } from "../fingerprint/fingerprint-builder.js";
import type { EarlyMatcher } from "./early-matcher.js";
import type { JobLease, MediaAnalyzer } from "./ports.js";

/** Share of the progress bar each phase ends at. */
export const PROGRESS = { downloaded: 0.1, probed: 0.15, decoded: 0.95 } as const;
/** Progress is written at most this often, so a long decode does not flood the database. */
const PROGRESS_INTERVAL_MS = 1_000;

export interface DecodeContext {
  readonly media: MediaAnalyzer;
  readonly job: JobLease;
  readonly early: EarlyMatcher;
  readonly log: Logger;
  /** Whether a landscape video's centre strip is hashed, to be stored (INDEX_CENTRE_STRIPS). */
  readonly storeCentreStrip: boolean;
  readonly now?: () => number;
}

/**
 * The decode pass feeding a fingerprint: scene scores become cuts, samples become hashes
 * (each offered to the early matcher), and progress is written as the decode advances.
 */
export async function decodeFingerprint(
  context: DecodeContext,
  filePath: string,
  probed: Promise<MediaInfo>,
  signal: AbortSignal,
): Promise<FingerprintBuilder> {
  const { media, job, early, log } = context;
  const now = context.now ?? Date.now;
  const fingerprint = new FingerprintBuilder({ storeCentreStrip: context.storeCentreStrip });
  let knownDurationSec: number | undefined;
  probed.then(
    (info) => {
      knownDurationSec = info.durationSec;
      fingerprint.setFrameAspect(info.width / info.height);
    },
    () => {},
  );
  let lastProgressAt = 0;
  await media.decode({
    filePath,
    probed,
    signal,
    onFrameScore: (frame) => {
      fingerprint.addFrameScore(frame);
      const at = now();
      if (knownDurationSec === undefined || at - lastProgressAt < PROGRESS_INTERVAL_MS) return;
      lastProgressAt = at;
      const decoded = Math.min(1, Math.max(0, frame.ptsTime / knownDurationSec));
      job
        .recordProgress(PROGRESS.probed + decoded * (PROGRESS.decoded - PROGRESS.probed))
        .catch((err: unknown) => log.warn({ event: "job.progress_write_failed", err: describeError(err) }, "progress write failed"));
    },
    onSample: (index, gray) => {
      fingerprint.addSample(index, gray);
      early.offer(fingerprint);
    },
  });
  fingerprint.finish();
  return fingerprint;
}
