import type { Logger } from "pino";
import type { SignatureIndex } from "../match/signature-index.js";
import { decodeFingerprint, PROGRESS } from "./decode-fingerprint.js";
import { EarlyMatcher } from "./early-matcher.js";
import type { JobLease, MediaAnalyzer } from "./ports.js";
import { printSoundtrack } from "./soundtrack.js";

/** One claimed job's downloaded file, to probe, decode and print. */
export interface ProbeAndDecode {
  readonly media: MediaAnalyzer;
  readonly index: SignatureIndex;
  readonly job: JobLease;
  readonly filePath: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Whether a landscape video's centre strip is hashed, to be stored (INDEX_CENTRE_STRIPS). */
  readonly storeCentreStrip: boolean;
}

/**
 * The probe and the decode start together: each spends tens of milliseconds just starting
 * ffmpeg's libraries, and the decode's first segment needs no duration to begin. The decode
 * is started first (the probe a microtask later): the first verdict waits for it. The
 * soundtrack is printed beside the decode once the probe has accepted the file.
 */
export async function probeAndDecode(a: ProbeAndDecode) {
  const { media, job, log, filePath } = a;
  const probing = Promise.resolve().then(() => media.probe(filePath));
  const durationSec = probing.then((info) => info.durationSec);
  // A failed probe is handled where the decode and the probe's record await it; the early
  // matcher may never ask for the duration.
  void durationSec.catch(() => undefined);
  const early = new EarlyMatcher(a.index, job, durationSec, log);
  const stopDecode = new AbortController();
  const decodeSignal = AbortSignal.any([a.signal, stopDecode.signal]);
  const decoding = decodeFingerprint({ media, job, early, log, storeCentreStrip: a.storeCentreStrip }, filePath, probing, decodeSignal);
  const soundtrack = probing.then((info) => printSoundtrack(media, filePath, info, decodeSignal, log));
  void soundtrack.catch(() => undefined);
  const recordProbe = async () => {
    const info = await probing;
    await job.recordMediaInfo(info);
    await job.recordProgress(PROGRESS.probed);
    log.info(
      { event: "job.probed", durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps, codec: info.codec },
      "media probed",
    );
  };
  try {
    const [fingerprint, audioPrint] = await Promise.all([decoding, soundtrack, recordProbe()]);
    return { fingerprint, audioPrint, durationSec: await durationSec, early };
  } catch (err) {
    // The probe's error when it failed (the decode then stops with the same one).
    stopDecode.abort();
    await Promise.all([decoding.catch(() => {}), soundtrack.catch(() => {})]);
    throw err;
  }
}
