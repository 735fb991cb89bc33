import type { Logger } from "pino";
import { InspectorError, isPermanent, describeError } from "../errors.js";
import type { ObjectStore } from "../objects/s3-object-store.js";
import type { ProcessGuard } from "../media/process-guard.js";
import { probeMedia, type MediaCaps } from "../media/probe.js";
import { runDecodePass } from "../media/decode-pass.js";
import { FingerprintBuilder } from "../fingerprint/fingerprint-builder.js";
import { FRAME_SIZE } from "../fingerprint/frame-hash.js";
import { encodeSignature, indexEntries, SAMPLE_RATE, type Signature } from "../fingerprint/signature.js";
import { findDuplicates, type Duplicate } from "./find-duplicates.js";
import { eventOrder, type ObjectCreated } from "../queue/s3-event.js";
import { ScratchDir } from "./scratch-dir.js";
import { LeaseLostError, type JobLease, type StoredMatch, type VideoRepository } from "../store/video-repository.js";

export interface AnalysisLimits {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly maxObjectBytes: number;
  readonly media: MediaCaps;
  readonly probeTimeoutMs: number;
  readonly timeoutBaseMs: number;
  readonly timeoutPerSecMs: number;
  readonly timeoutMaxMs: number;
  readonly tmpDir: string;
  /** ffmpeg's decoder threads per analysis; 0 lets ffmpeg choose. */
  readonly decoderThreads: number;
  /** Most ffmpeg processes one video's decode is split into. */
  readonly decodeSegments: number;
}

export interface IngestDeps {
  readonly repo: VideoRepository;
  readonly objects: ObjectStore;
  readonly guard: ProcessGuard;
  readonly limits: AnalysisLimits;
  /**
   * How long a job stays this worker's without a renewal (renewed every third of it). At
   * most two thirds of the queue's visibility timeout, so that when a dead worker's message
   * comes back, its lease has already run out and the job can be taken over.
   */
  readonly leaseMs: number;
  readonly log: Logger;
  /** Told how each claimed analysis ended and how long it took (for metrics). */
  readonly onAnalysisFinished?: (outcome: "done" | "failed" | "interrupted", seconds: number) => void;
}

export type IngestOutcome = "done" | "failed" | "already-finished" | "held-elsewhere";

/** Share of the progress bar each phase ends at. */
const PROGRESS = { downloaded: 0.1, probed: 0.15, decoded: 0.95 } as const;
/** Progress is written at most this often, so a long decode does not flood the database. */
const PROGRESS_INTERVAL_MS = 1_000;

/** Scene detection may take base + perSec × duration, capped. */
export function analysisTimeoutMs(limits: AnalysisLimits, durationSec: number): number {
  return Math.min(limits.timeoutMaxMs, limits.timeoutBaseMs + limits.timeoutPerSecMs * durationSec);
}

/**
 * The use case: one uploaded object → its job → download → probe → scene cuts → store →
 * matches → a terminal state in the database. Permanent failures are stored and reported as
 * `failed`; transient ones are thrown, so the message goes back to the queue.
 */
export async function analyzeObject(deps: IngestDeps, object: ObjectCreated, messageId: string, signal: AbortSignal): Promise<IngestOutcome> {
  const { repo, log: baseLog } = deps;
  const job = await repo.startJob({ bucket: object.bucket, key: object.key, etag: object.etag, order: eventOrder(object) }, messageId, deps.leaseMs);
  if (job.outcome !== "claimed") {
    const log = baseLog.child({ key: object.key, jobId: job.jobId });
    switch (job.outcome) {
      case "superseded":
        log.info("a newer event for this key was handled already; this older one is acknowledged");
        return "already-finished";
      case "already-finished":
        log.info({ status: job.status }, "object already analysed; redelivered event acknowledged");
        return "already-finished";
      case "held-elsewhere":
        log.info({ status: "analyzing" }, "another worker holds this job; its own message covers it, so this delivery is acknowledged");
        return "held-elsewhere";
      case "wait":
        log.info({ retryAfterMs: job.retryAfterMs }, "another worker analyses an older version; this event will be retried");
        throw new InspectorError("JOB_BUSY");
    }
  }
  const { lease } = job;
  const log = baseLog.child({ key: object.key, jobId: lease.jobId });
  log.info({ status: "analyzing", attempt: job.attempt, messageId, ...(job.tookOver ? { reason: "the previous worker's lease expired or its message came back" } : {}) }, job.tookOver ? "job taken over" : "job analyzing");

  const keeper = new LeaseKeeper(repo, lease, deps.leaseMs, signal, log);
  const scratch = await ScratchDir.create(deps.limits.tmpDir);
  const started = performance.now();
  const finished = (outcome: "done" | "failed" | "interrupted") => deps.onAnalysisFinished?.(outcome, (performance.now() - started) / 1000);
  try {
    await runAnalysis(deps, object, { id: job.videoId, num: job.videoNum }, lease, scratch, keeper.signal, log);
    finished("done");
    return "done";
  } catch (err) {
    if (!isPermanent(err)) {
      finished("interrupted");
      const released = await repo.releaseJob(lease).catch(() => false);
      log.warn({ status: released ? "pending" : undefined, err: describeError(err) }, "job interrupted by a transient failure; it will be retried");
      throw err;
    }
    await scratch.remove();
    await repo.failJob(lease, err.code, err.message);
    finished("failed");
    log.info({ status: "failed", code: err.code, reason: err.message }, "job failed");
    return "failed";
  } finally {
    keeper.stop();
    await scratch.remove();
  }
}

/**
 * Renews the job's lease every third of its length while the analysis runs. If the lease
 * turns out to be lost (another worker took the job over), the analysis is aborted: the
 * other worker's result is the one that counts. A renewal that fails for lack of a database
 * is only logged; the fenced writes at the end catch a takeover that happened meanwhile.
 */
class LeaseKeeper {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal;

  constructor(repo: VideoRepository, lease: JobLease, leaseMs: number, outer: AbortSignal, log: Logger) {
    this.signal = AbortSignal.any([outer, this.lost.signal]);
    this.timer = setInterval(() => {
      repo.renewLease(lease, leaseMs).then(
        (held) => {
          if (held) return;
          log.warn("lease lost to another worker; abandoning this analysis");
          this.lost.abort(new LeaseLostError(lease.jobId));
        },
        (err: unknown) => log.warn({ err: describeError(err) }, "lease renewal failed; will try again"),
      );
    }, leaseMs / 3);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function runAnalysis(deps: IngestDeps, ref: ObjectCreated, video: { id: string; num: number }, lease: JobLease, scratch: ScratchDir, signal: AbortSignal, log: Logger): Promise<void> {
  const { repo, objects, guard, limits } = deps;
  const filePath = scratch.objectPath;
  const head = await objects.head(ref);
  if (!head) throw new InspectorError("OBJECT_NOT_FOUND");
  if (head.sizeBytes > limits.maxObjectBytes) {
    throw new InspectorError("OBJECT_TOO_LARGE", `The object is ${head.sizeBytes} bytes; the limit is ${limits.maxObjectBytes}.`);
  }
  if (head.sizeBytes === 0) throw new InspectorError("CORRUPT_MEDIA", "The object is empty (0 bytes).");

  await repo.recordHead(video.id, head.sizeBytes, head.etag);
  // A re-upload of a finished video's bytes is answered from S3's metadata, before any
  // download: in a fraction of a second, whatever the video's length.
  const sameUpload = head.etag ? await repo.findIdenticalUpload(head.etag, head.sizeBytes, video.id) : undefined;
  if (sameUpload) {
    await scratch.remove();
    return answerIdentical(repo, lease, video.id, sameUpload.videoId, "etag", log);
  }

  const content = await objects.download(ref, filePath, limits.maxObjectBytes, signal);
  await repo.recordContent(video.id, content.sizeBytes, content.sha256);
  await repo.recordProgress(lease, PROGRESS.downloaded);
  log.info({ sizeBytes: content.sizeBytes, sha256: content.sha256 }, "object downloaded");

  const identical = await repo.findIdenticalContent(content.sha256, video.id);
  if (identical) {
    await scratch.remove();
    return answerIdentical(repo, lease, video.id, identical.videoId, "sha256", log);
  }

  // The probe and the decode start together: each spends tens of milliseconds just starting
  // ffmpeg's libraries, and the decode's first segment needs no duration to begin. The decode
  // is spawned first (the probe a microtask later): the first verdict waits for it.
  const probing = Promise.resolve().then(() => probeMedia(guard, limits.ffprobePath, filePath, limits.probeTimeoutMs, limits.media));
  const durationSec = probing.then((info) => info.durationSec);
  const early = new EarlyMatcher(repo, video, durationSec, log);
  const stopDecode = new AbortController();
  const decoding = decodeFingerprint(deps, filePath, durationSec, lease, early, AbortSignal.any([signal, stopDecode.signal]), log);
  const recordProbe = async () => {
    const info = await probing;
    await repo.recordMediaInfo(video.id, info);
    await repo.recordProgress(lease, PROGRESS.probed);
    log.info({ durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps, codec: info.codec }, "media probed");
  };
  let fingerprint: FingerprintBuilder;
  try {
    [fingerprint] = await Promise.all([decoding, recordProbe()]);
  } catch (err) {
    // The probe's error when it failed (the decode then stops with the same one).
    stopDecode.abort();
    await decoding.catch(() => {});
    throw err;
  }
  await scratch.remove();
  const signature = fingerprint.signature();
  await repo.storeFingerprint(lease, video, fingerprint.cuts, encodeSignature(signature), SAMPLE_RATE, indexEntries(signature));
  log.info({ cuts: fingerprint.cuts.length, samples: signature.length }, "fingerprint stored");

  // Insert, then search: two copies analysed at the same time still find each other.
  await early.settle();
  const duplicates = await findDuplicates(repo, video.num, signature, await durationSec);
  await repo.saveMatches(video.id, duplicates.map(toStoredMatch));
  const found = new Set(duplicates.map((d) => d.reference.videoId));
  await repo.deleteMatches(video.id, early.reportedIds().filter((id) => !found.has(id)));
  await repo.finishJob(lease);
  log.info({ status: "done", duplicates: duplicates.length, files: duplicates.map((d) => d.reference.key) }, "job done");
}

/** Finishes a byte-identical copy from its original's analysis, with no decode. */
async function answerIdentical(repo: VideoRepository, lease: JobLease, videoId: string, originalId: string, knownBy: "etag" | "sha256", log: Logger): Promise<void> {
  const { durationSec } = await repo.copyAnalysis(lease, originalId, videoId);
  const whole: [number, number] = [0, durationSec ?? 0];
  await repo.saveMatches(videoId, [{ otherVideoId: originalId, score: 1, kind: "identical", offsetSec: 0, segment: whole, otherSegment: whole }]);
  // The same footage has the same other duplicates: the original's, with its offsets.
  await repo.copyMatches(originalId, videoId);
  await repo.finishJob(lease);
  log.info({ status: "done", identicalTo: originalId, knownBy }, "job done: byte-identical to a stored video");
}

function toStoredMatch(duplicate: Duplicate): StoredMatch {
  const { verdict } = duplicate;
  return {
    otherVideoId: duplicate.reference.videoId,
    score: verdict.score,
    kind: verdict.kind,
    offsetSec: verdict.offsetSec,
    segment: verdict.querySegment,
    otherSegment: verdict.refSegment,
  };
}

/**
 * Decoded seconds at which the partial signature is matched, until a duplicate shows up. A
 * verdict needs 10 s of matched footage (MIN_FRAGMENT_SEC), which 10 s of decode never quite
 * gives (a match rarely covers the very last samples): the first check is at 11 s, and if
 * that match falls just short, the next at 12 s. A copy whose opening does not match (an
 * intro, a scene too detailed to survive re-encoding) is checked every 3 s up to 24 s, then
 * at doubling lengths, so that a video with no duplicate costs few queries.
 */
export const EARLY_CHECKPOINTS_SEC = [11, 12, 15, 18, 21, 24, 48, 96, 192];

/**
 * Matches the partial signature while the decode runs, so a copy is reported long before
 * its analysis ends. At most one query at a time; the decode never waits for it.
 */
class EarlyMatcher {
  private running: Promise<void> | undefined;
  private readonly reported = new Set<string>();
  private nextCheckpoint = 0;

  constructor(
    private readonly repo: VideoRepository,
    private readonly video: { id: string; num: number },
    private readonly durationSec: Promise<number>,
    private readonly log: Logger,
  ) {}

  offer(fingerprint: FingerprintBuilder): void {
    const decodedSec = fingerprint.sampleCount / SAMPLE_RATE;
    const checkpoint = EARLY_CHECKPOINTS_SEC[this.nextCheckpoint];
    if (this.running || this.reported.size > 0 || checkpoint === undefined || decodedSec < checkpoint) return;
    this.nextCheckpoint += 1;
    const signature = fingerprint.signature();
    this.running = this.match(signature, decodedSec).finally(() => (this.running = undefined));
  }

  async settle(): Promise<void> {
    await this.running;
  }

  reportedIds(): string[] {
    return [...this.reported];
  }

  private async match(signature: Signature, decodedSec: number): Promise<void> {
    try {
      const duplicates = await findDuplicates(this.repo, this.video.num, signature, await this.durationSec, decodedSec);
      if (duplicates.length === 0) return;
      await this.repo.saveMatches(this.video.id, duplicates.map(toStoredMatch));
      for (const d of duplicates) this.reported.add(d.reference.videoId);
      this.log.info({ decodedSec, duplicates: duplicates.length, files: duplicates.map((d) => d.reference.key) }, "early duplicate verdict");
    } catch (err) {
      this.log.warn({ err: describeError(err) }, "early match failed; the final match will run");
    }
  }
}

async function decodeFingerprint(deps: IngestDeps, filePath: string, durationSec: Promise<number>, lease: JobLease, early: EarlyMatcher, signal: AbortSignal, log: Logger): Promise<FingerprintBuilder> {
  const fingerprint = new FingerprintBuilder();
  let knownDurationSec: number | undefined;
  durationSec.then((d) => (knownDurationSec = d), () => {});
  let lastProgressAt = 0;
  await runDecodePass({
    guard: deps.guard,
    ffmpegPath: deps.limits.ffmpegPath,
    filePath,
    timeoutMs: (d) => analysisTimeoutMs(deps.limits, d),
    sampleRate: SAMPLE_RATE,
    frameSize: FRAME_SIZE,
    decoderThreads: deps.limits.decoderThreads,
    durationSec,
    maxSegments: deps.limits.decodeSegments,
    signal,
    onFrameScore: (frame) => {
      fingerprint.addFrameScore(frame);
      const now = Date.now();
      if (knownDurationSec === undefined || now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
      lastProgressAt = now;
      const decoded = Math.min(1, Math.max(0, frame.ptsTime / knownDurationSec));
      deps.repo.recordProgress(lease, PROGRESS.probed + decoded * (PROGRESS.decoded - PROGRESS.probed)).catch((err: unknown) => log.warn({ err: describeError(err) }, "progress write failed"));
    },
    onSample: (index, gray) => {
      fingerprint.addSample(index, gray);
      early.offer(fingerprint);
    },
  });
  fingerprint.finish();
  return fingerprint;
}
