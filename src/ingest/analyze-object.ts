import type { Logger } from "pino";
import { describeError, InspectorError } from "../domain/errors.js";
import type { Claim, IngestOutcome } from "../domain/job.js";
import { eventOrder, type ObjectCreated, type ObjectEvent } from "../domain/object-event.js";
import { storedFingerprint } from "../fingerprint/fingerprint-builder.js";
import { findDuplicates, toStoredMatch } from "../match/find-duplicates.js";
import type { SignatureIndex } from "../match/signature-index.js";
import type { ObjectHead, ObjectStore } from "../objects/object-store.js";
import { PROGRESS } from "./decode-fingerprint.js";
import { probeAndDecode } from "./probe-and-decode.js";
import { LeaseKeeper } from "./lease-keeper.js";
import type { IdenticalVideos, JobClaims, JobLease, MediaAnalyzer } from "./ports.js";
import { ScratchDir } from "../media/scratch-dir.js";
import { answerIdentical, knownIdentical } from "./identical-upload.js";

export interface IngestDeps {
  readonly jobs: JobClaims;
  readonly identical: IdenticalVideos;
  readonly index: SignatureIndex;
  readonly objects: ObjectStore;
  readonly media: MediaAnalyzer;
  readonly maxObjectBytes: number;
  /** Whether a landscape video's centre strip is stored and indexed (INDEX_CENTRE_STRIPS). */
  readonly storeCentreStrips: boolean;
  /** Where per-job scratch directories are created. */
  readonly tmpDir: string;
  /**
   * How long a job stays this worker's without a renewal (renewed every third of it). At
   * most two thirds of the queue's visibility timeout, so that when a dead worker's message
   * comes back, its lease has already run out and the job can be taken over.
   */
  readonly leaseMs: number;
  readonly log: Logger;
  /** Told how each claimed analysis ended and how long it took (for metrics). */
  readonly onAnalysisFinished?: (outcome: "done" | "failed" | "interrupted", seconds: number) => void;
  /** Told of each bug (an error nothing classified) that failed a job (for metrics). */
  readonly onInternalError?: () => void;
}

/** One claimed job's analysis, step by step. */
interface Analysis {
  readonly deps: IngestDeps;
  readonly object: ObjectCreated;
  readonly head: ObjectHead;
  readonly job: JobLease;
  readonly scratch: ScratchDir;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/**
 * The use case: one uploaded object → its job → download → probe → decode → fingerprint →
 * matches → a terminal state in the database. Permanent failures are stored and reported as
 * `failed`; transient ones are thrown, so the message goes back to the queue. A bug (an
 * error nothing classified) fails the job as INTERNAL_ERROR: logged at error level with its
 * stack and counted, never retried (a retry would only repeat it).
 */
export async function analyzeObject(
  deps: IngestDeps,
  object: ObjectCreated,
  messageId: string,
  signal: AbortSignal,
): Promise<IngestOutcome> {
  // Events are hints: the object's own HEAD says whether it exists and which version it is.
  const head = await deps.objects.head(object);
  if (!head) {
    deps.log.info(
      { event: "event.object_missing", key: object.key },
      "no such object (deleted, or a forged event): acknowledged, nothing stored",
    );
    return "missing";
  }
  const claim = await deps.jobs.claim(versionSeen(object, head), messageId, deps.leaseMs);
  if (claim.outcome !== "claimed") return acknowledge(claim, deps.log.child({ key: object.key, jobId: claim.jobId }));
  const { job } = claim;
  const log = deps.log.child({ key: object.key, jobId: job.jobId });
  const event = job.tookOver ? "job.taken_over" : "job.analyzing";
  log.info(
    {
      event,
      status: "analyzing",
      attempt: job.attempt,
      messageId,
      ...(job.tookOver ? { reason: "the previous worker's lease expired or its message came back" } : {}),
    },
    job.tookOver ? "job taken over" : "job analyzing",
  );

  const keeper = new LeaseKeeper(job, deps.leaseMs, signal, log);
  const scratch = await ScratchDir.create(deps.tmpDir);
  const started = performance.now();
  const finished = (outcome: "done" | "failed" | "interrupted") => deps.onAnalysisFinished?.(outcome, (performance.now() - started) / 1000);
  try {
    await analyze({ deps, object, head, job, scratch, signal: keeper.signal, log });
    finished("done");
    return "done";
  } catch (thrown) {
    const err = classify(thrown, keeper.signal);
    if (!err.permanent) {
      finished("interrupted");
      const released = await job.release().catch(() => false);
      log.warn(
        { event: "job.interrupted", status: released ? "pending" : undefined, err: describeError(err) },
        "job interrupted by a transient failure; it will be retried",
      );
      throw err;
    }
    await scratch.remove();
    if (err.code === "INTERNAL_ERROR") {
      deps.onInternalError?.();
      log.error({ event: "job.internal_error", err: thrown }, "job failed by a bug in the service (INTERNAL_ERROR); not retried");
    }
    await job.fail(err.code, err.message);
    finished("failed");
    log.info({ event: "job.failed", status: "failed", code: err.code, reason: err.message }, "job failed");
    return "failed";
  } finally {
    keeper.stop();
    await scratch.remove();
  }
}

/** The README's pipeline, in order. */
async function analyze(a: Analysis): Promise<void> {
  const { deps, object, job, head, log } = a;
  if (head.sizeBytes > deps.maxObjectBytes)
    throw new InspectorError("OBJECT_TOO_LARGE", `The object is ${head.sizeBytes} bytes; the limit is ${deps.maxObjectBytes}.`);
  if (head.sizeBytes === 0) throw new InspectorError("CORRUPT_MEDIA", "The object is empty (0 bytes).");
  await job.recordHead(head.sizeBytes, head.etag);

  // 1. A re-upload of a finished video's bytes: certain from S3's own SHA-256, provisional from ETag and size.
  const known = await knownIdentical(deps.identical, job, head, log);
  if (known.confirmed) return answerIdentical(job, a.scratch, known.confirmed, "checksum-sha256", log);

  // The version HEAD saw, and no other (If-Match).
  const content = await deps.objects.download(object, a.scratch.objectPath, deps.maxObjectBytes, a.signal, head.etag);
  await job.recordContent(content.sizeBytes, content.sha256);
  await job.recordProgress(PROGRESS.downloaded);
  log.info({ event: "job.downloaded", sizeBytes: content.sizeBytes, sha256: content.sha256 }, "object downloaded");
  const sameContent = await deps.identical.findIdenticalContent(content.sha256, job.videoId);
  await known.settle(sameContent?.videoId);
  if (sameContent) return answerIdentical(job, a.scratch, sameContent.videoId, "sha256", log);

  // 2–7. Probe and decode together, matching early; then insert, then search.
  const { fingerprint, audioPrint, durationSec, early } = await probeAndDecode({
    media: deps.media,
    index: deps.index,
    job,
    filePath: a.scratch.objectPath,
    signal: a.signal,
    log,
    storeCentreStrip: deps.storeCentreStrips,
  });
  await a.scratch.remove();
  const signature = fingerprint.signature();
  const strip = fingerprint.stripSignature();
  await job.storeFingerprint(storedFingerprint(fingerprint.cuts, signature, audioPrint, strip));
  log.info({ event: "job.fingerprint_stored", cuts: fingerprint.cuts.length, samples: signature.length }, "fingerprint stored");

  // Insert, then search: two copies analysed at the same time still find each other.
  await early.settle();
  const footage = { ...fingerprint.searched(), videoNum: job.videoNum, durationSec, audioPrint };
  const duplicates = await findDuplicates(deps.index, footage);
  const { indexed, group } = await job.saveFinalMatches(duplicates.map(toStoredMatch));
  const found = new Set(duplicates.map((d) => d.reference.videoId));
  await job.deleteMatches(early.reportedIds().filter((id) => !found.has(id)));
  await job.finish();
  log.info(
    { event: "job.done", status: "done", duplicates: duplicates.length, files: duplicates.map((d) => d.reference.key), indexed, group },
    "job done",
  );
}

/**
 * The version an event stands for, from the object's HEAD: its ETag and, to order versions,
 * its LastModified (what the event claims, a forged ETag or an eventTime in 2099, is not trusted).
 */
function versionSeen(object: ObjectCreated, head: ObjectHead): ObjectEvent {
  const order = head.lastModified ? `t:${head.lastModified.toISOString()}` : eventOrder(object);
  return { bucket: object.bucket, key: object.key, etag: head.etag, order };
}

/** A delivery that found nothing to do: acknowledged, or retried once the other worker is done. */
function acknowledge(claim: Exclude<Claim<JobLease>, { outcome: "claimed" }>, log: Logger): IngestOutcome {
  switch (claim.outcome) {
    case "superseded":
      log.info({ event: "event.superseded" }, "a newer event for this key was handled already; this older one is acknowledged");
      return "already-finished";
    case "already-finished":
      log.info({ event: "event.already_finished", status: claim.status }, "object already analysed; redelivered event acknowledged");
      return "already-finished";
    case "held-elsewhere":
      log.info(
        { event: "event.held_elsewhere", status: "analyzing" },
        "another worker holds this job; its own message covers it, so this delivery is acknowledged",
      );
      return "held-elsewhere";
    case "wait":
      log.info(
        { event: "event.job_busy", retryAfterMs: claim.retryAfterMs },
        "another worker analyses an older version; this event will be retried",
      );
      throw new InspectorError("JOB_BUSY", undefined, { retryAfterMs: claim.retryAfterMs });
  }
}

/**
 * What a failure means. An analysis stopped for a coded reason (its lease was lost) failed
 * for that reason, whatever the stop looked like from inside (a killed ffmpeg). Otherwise
 * coded errors mean what they say; anything else while stopping (shutdown) is that stop, and
 * anything else at all is a bug.
 */
function classify(err: unknown, signal: AbortSignal): InspectorError {
  if (signal.aborted && signal.reason instanceof InspectorError) return signal.reason;
  if (err instanceof InspectorError) return err;
  if (signal.aborted) return new InspectorError("SHUTTING_DOWN", undefined, { cause: err });
  return new InspectorError("INTERNAL_ERROR", undefined, { cause: err });
}
