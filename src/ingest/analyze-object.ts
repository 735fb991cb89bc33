import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { InspectorError, isPermanent, describeError } from "../errors.js";
import type { ObjectStore } from "../objects/s3-object-store.js";
import type { ProcessGuard } from "../media/process-guard.js";
import { probeMedia, type MediaInfo } from "../media/probe.js";
import { scanSceneScores } from "../media/scene-detect.js";
import { CutDetector, DEFAULT_CUT_THRESHOLD, DEFAULT_MIN_CUT_GAP_SEC, type SceneCut } from "../fingerprint/cut-detector.js";
import { frameTolerance, matchCutTimelines } from "../fingerprint/cut-match.js";
import type { ObjectCreated } from "../queue/s3-event.js";
import type { StoredMatch, VideoRepository } from "../store/video-repository.js";

export interface AnalysisLimits {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly maxObjectBytes: number;
  readonly probeTimeoutMs: number;
  readonly timeoutBaseMs: number;
  readonly timeoutPerSecMs: number;
  readonly timeoutMaxMs: number;
  readonly tmpDir: string;
}

export interface IngestDeps {
  readonly repo: VideoRepository;
  readonly objects: ObjectStore;
  readonly guard: ProcessGuard;
  readonly limits: AnalysisLimits;
  readonly log: Logger;
}

export type IngestOutcome = "done" | "failed" | "already-finished";

/** Share of the progress bar each phase ends at. */
const PROGRESS = { downloaded: 0.1, probed: 0.15, decoded: 0.95 } as const;
/** Progress is written at most this often, so a long decode does not flood the database. */
const PROGRESS_INTERVAL_MS = 1_000;
/** Widest per-pair tolerance the cut matcher may ask for; bounds the candidate query. */
const MAX_CUT_TOLERANCE_SEC = 0.1;

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
  const job = await repo.startJob(object, object.etag, messageId);
  const log = baseLog.child({ key: object.key, jobId: job.jobId });
  if (job.alreadyFinished) {
    log.info({ status: job.alreadyFinished }, "object already analysed; redelivered event acknowledged");
    return "already-finished";
  }
  log.info({ status: "analyzing", attempt: job.attempt, messageId }, "job analyzing");

  const workDir = await mkdtemp(path.join(deps.limits.tmpDir, "tvidz-"));
  try {
    await runAnalysis(deps, object, job.videoId, job.jobId, path.join(workDir, "object"), signal, log);
    return "done";
  } catch (err) {
    if (!isPermanent(err)) {
      log.warn({ err: describeError(err) }, "job interrupted by a transient failure; it will be retried");
      throw err;
    }
    await repo.failJob(job.jobId, err.code, err.message);
    log.info({ status: "failed", code: err.code, reason: err.message }, "job failed");
    return "failed";
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function runAnalysis(deps: IngestDeps, ref: ObjectCreated, videoId: string, jobId: string, filePath: string, signal: AbortSignal, log: Logger): Promise<void> {
  const { repo, objects, guard, limits } = deps;
  const head = await objects.head(ref);
  if (!head) throw new InspectorError("OBJECT_NOT_FOUND");
  if (head.sizeBytes > limits.maxObjectBytes) {
    throw new InspectorError("OBJECT_TOO_LARGE", `The object is ${head.sizeBytes} bytes; the limit is ${limits.maxObjectBytes}.`);
  }
  if (head.sizeBytes === 0) throw new InspectorError("CORRUPT_MEDIA", "The object is empty (0 bytes).");

  const content = await objects.download(ref, filePath, limits.maxObjectBytes, signal);
  await repo.recordContent(videoId, content.sizeBytes, content.sha256);
  await repo.recordProgress(jobId, PROGRESS.downloaded);
  log.info({ sizeBytes: content.sizeBytes, sha256: content.sha256 }, "object downloaded");

  const identical = await repo.findIdenticalContent(content.sha256, videoId);
  if (identical) {
    await repo.copyAnalysis(identical.videoId, videoId);
    await repo.saveMatches(videoId, [{ otherVideoId: identical.videoId, score: 1, kind: "identical", offsetSec: 0 }]);
    await repo.finishJob(jobId);
    log.info({ status: "done", duplicates: 1, identicalTo: identical.videoId }, "job done: byte-identical to a stored video");
    return;
  }

  const info = await probeMedia(guard, limits.ffprobePath, filePath, limits.probeTimeoutMs);
  await repo.recordMediaInfo(videoId, info);
  await repo.recordProgress(jobId, PROGRESS.probed);
  log.info({ durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps, codec: info.codec }, "media probed");

  const cuts = await detectCuts(deps, filePath, info, (progress) => {
    repo.recordProgress(jobId, progress).catch((err: unknown) => log.warn({ err: describeError(err) }, "progress write failed"));
  }, signal);
  await repo.replaceCuts(videoId, cuts);
  log.info({ cuts: cuts.length }, "scene cuts stored");

  const matches = await findCutMatches(repo, videoId, info.fps, cuts);
  await repo.saveMatches(videoId, matches);
  await repo.finishJob(jobId);
  log.info({ status: "done", duplicates: matches.length }, "job done");
}

async function detectCuts(deps: IngestDeps, filePath: string, info: MediaInfo, onProgress: (p: number) => void, signal: AbortSignal): Promise<SceneCut[]> {
  const detector = new CutDetector({ threshold: DEFAULT_CUT_THRESHOLD, minGapSec: DEFAULT_MIN_CUT_GAP_SEC, startTimeSec: info.startTimeSec });
  const cuts: SceneCut[] = [];
  let lastProgressAt = 0;
  await scanSceneScores({
    guard: deps.guard,
    ffmpegPath: deps.limits.ffmpegPath,
    filePath,
    timeoutMs: analysisTimeoutMs(deps.limits, info.durationSec),
    signal,
    onFrame: (frame) => {
      const cut = detector.push(frame);
      if (cut) cuts.push(cut);
      const now = Date.now();
      if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
        lastProgressAt = now;
        const decoded = Math.min(1, Math.max(0, (frame.ptsTime - info.startTimeSec) / info.durationSec));
        onProgress(PROGRESS.probed + decoded * (PROGRESS.decoded - PROGRESS.probed));
      }
    },
  });
  const last = detector.flush();
  if (last) cuts.push(last);
  return cuts;
}

async function findCutMatches(repo: VideoRepository, videoId: string, fps: number, cuts: readonly SceneCut[]): Promise<StoredMatch[]> {
  if (cuts.length === 0) return [];
  const mine = cuts.map((c) => c.timeSec);
  const candidates = await repo.findCutCandidates(videoId, MAX_CUT_TOLERANCE_SEC, 2);
  return candidates.flatMap((candidate) => {
    const toleranceSec = Math.min(MAX_CUT_TOLERANCE_SEC, frameTolerance(fps, candidate.fps));
    const match = matchCutTimelines(mine, candidate.cutTimes, { toleranceSec, minMatchedCuts: 3, minScore: 0.6 });
    return match ? [{ otherVideoId: candidate.videoId, score: match.score, kind: "near_duplicate" as const, offsetSec: 0 }] : [];
  });
}
